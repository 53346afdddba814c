import { useBrowserAndRelay } from "../support/e2e.ts";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { readNotes } from "@atelier/shared/document/docLayout";
import { PHONE_VIEWPORT } from "../support/browser.ts";
import { createTestBoard } from "../support/relay.ts";
import { connectScreen, waitFor } from "../support/screens.ts";
import { seriousViolations } from "../support/axe.ts";

describe("the participant's phone page", () => {
  const e2e = useBrowserAndRelay();

  async function postNote(page: Page, text: string, prompt: string, category: string): Promise<void> {
    await page.getByRole("radio", { name: prompt }).check();
    await page.getByLabel("Je viens du secteur").selectOption({ label: category });
    await page.getByLabel("Votre note").fill(text);
    await page.getByRole("button", { name: "Envoyer" }).click();
    await page.locator(".note.state-shown", { hasText: text }).waitFor();
  }

  it("joins by code, posts three notes, sees each acknowledged; a facilitator reads exactly those", async () => {
    const board = await createTestBoard(e2e.relay.localUrl);
    const context = await e2e.browser.newContext({
      viewport: PHONE_VIEWPORT,
      locale: "fr-FR",
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    await page.goto(e2e.relay.localUrl);
    await page.getByLabel("Code à 6 caractères affiché à l'écran").fill(board.joinCode.toLowerCase());
    await page.getByRole("button", { name: "Rejoindre" }).click();
    await page.waitForURL(`**/j/${board.joinCode}`);
    await page.getByRole("heading", { name: "Journée interprofessionnelle" }).waitFor();

    await page.getByLabel("Prénom (facultatif : anonyme sinon)").fill("Samia");
    await postNote(page, "Mieux repérer les signaux faibles", "Ce que je retiens", "Éducation");
    await postNote(page, "Un annuaire des partenaires", "Ce dont j'ai besoin", "Santé");
    await postNote(page, "Former les animateurs périscolaires", "Une action à lancer", "Associations");
    expect(await page.locator(".note").count()).toBe(3);

    const f = connectScreen(e2e.relay.localUrl, board.boardId, board.tokens.facilitator);
    await f.synced();
    const notes = readNotes(f.doc).map(({ text, prompt, category, author, status }) => ({
      text,
      prompt,
      category,
      author,
      status,
    }));
    expect(notes).toEqual([
      { text: "Mieux repérer les signaux faibles", prompt: "p1", category: "c1", author: "Samia", status: "visible" },
      { text: "Un annuaire des partenaires", prompt: "p2", category: "c3", author: "Samia", status: "visible" },
      { text: "Former les animateurs périscolaires", prompt: "p3", category: "c5", author: "Samia", status: "visible" },
    ]);
    f.destroy();
    await context.close();
  });

  it("keeps notes written offline through a reload and delivers each exactly once", async () => {
    const board = await createTestBoard(e2e.relay.localUrl);
    const context = await e2e.browser.newContext({ viewport: PHONE_VIEWPORT, locale: "fr-FR" });
    const page = await context.newPage();
    await page.goto(`${e2e.relay.localUrl}/j/${board.joinCode}`);
    await page.getByText("En ligne").waitFor();
    // Let the page put itself in the offline cache.
    await page.waitForFunction(
      async () =>
        (await caches.keys()).length > 0 && (await (await caches.open("atelier-phone-v1")).keys()).length >= 2,
    );

    await context.setOffline(true);
    await page.getByText("Hors ligne", { exact: false }).first().waitFor();
    for (const text of ["Écrite dans le train", "Écrite dans le tunnel"]) {
      await page.getByLabel("Votre note").fill(text);
      await page.getByRole("button", { name: "Envoyer" }).click();
      await page.locator(".note.state-outbox", { hasText: text }).waitFor();
    }
    await page.reload();
    await page.locator(".note.state-outbox").nth(1).waitFor();
    expect(await page.locator(".note.state-outbox").count()).toBe(2);

    await context.setOffline(false);
    await page.locator(".note.state-shown").nth(1).waitFor({ timeout: 20_000 });
    const room = await e2e.relay.rooms.open(board.boardId);
    await waitFor(() => readNotes(room.docs.room).length === 2);
    // Give a duplicate every chance to show up before counting.
    await page.waitForTimeout(500);
    expect(
      readNotes(room.docs.room)
        .map((n) => n.text)
        .sort(),
    ).toEqual(["Écrite dans le train", "Écrite dans le tunnel"]);
    await context.close();
  });

  it("says plainly when submissions are locked", async () => {
    const board = await createTestBoard(e2e.relay.localUrl);
    const page = await e2e.browser.newPage({ viewport: PHONE_VIEWPORT, locale: "en-GB" });
    await page.goto(`${e2e.relay.localUrl}/j/${board.joinCode}`);
    await page.getByText("Online").waitFor();
    await fetch(`${e2e.relay.localUrl}/api/boards/${board.boardId}/settings`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${board.tokens.facilitator}` },
      body: JSON.stringify({ submissions: "locked" }),
    });
    await page.getByRole("alert").filter({ hasText: "Submissions are closed" }).waitFor();
    expect(await page.getByRole("button", { name: "Send" }).isDisabled()).toBe(true);
    await page.close();
  });

  it("has no serious or critical accessibility violation (axe-core)", async () => {
    const board = await createTestBoard(e2e.relay.localUrl);
    // axe is injected as a script: let it past the page's strict CSP in this test only.
    const context = await e2e.browser.newContext({ viewport: PHONE_VIEWPORT, locale: "fr-FR", bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${e2e.relay.localUrl}/j/${board.joinCode}`);
    await page.getByText("En ligne").waitFor();
    await page.getByLabel("Votre note").fill("Une note pour avoir une liste");
    await page.getByRole("button", { name: "Envoyer" }).click();
    await page.locator(".note.state-shown").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });
});

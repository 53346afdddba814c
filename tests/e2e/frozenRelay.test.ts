import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { readNotes } from "@atelier/shared/document/docLayout";
import { LIVENESS } from "@atelier/shared/wire/liveness";
import { launchChromium, PHONE_VIEWPORT } from "../support/browser.ts";
import { CLIENT_DIST } from "../support/e2eRelay.ts";
import { createTestBoard, removeDir, spawnRelay, tempDataDir, type ChildRelay } from "../support/relay.ts";
import { connectScreen, waitFor } from "../support/screens.ts";

describe("a relay that stops answering", () => {
  let browser: Browser;
  let relay: ChildRelay;
  const dataDir = tempDataDir();
  beforeAll(async () => {
    [browser, relay] = await Promise.all([launchChromium(), spawnRelay(dataDir, { CLIENT_DIR: CLIENT_DIST })]);
  });
  afterAll(async () => {
    await browser?.close();
    relay?.process.kill("SIGCONT");
    await relay?.stop();
    removeDir(dataDir);
  });

  it("is noticed by the phone and board pages within 12 s, and a note written meanwhile arrives once after it wakes", async () => {
    const board = await createTestBoard(relay.url);
    const projector = await browser.newPage({ viewport: { width: 1280, height: 720 }, locale: "fr-FR" });
    await projector.goto(`${relay.url}/screen/${board.boardId}#key=${board.tokens.projector}`);
    await projector.locator(".tl-canvas").waitFor({ timeout: 30_000 });
    const page = await browser.newPage({ viewport: PHONE_VIEWPORT, locale: "fr-FR" });
    await page.goto(`${relay.url}/j/${board.joinCode}`);
    await page.getByText("En ligne").waitFor();
    await page.getByLabel("Votre note").fill("Avant le gel");
    await page.getByRole("button", { name: "Envoyer" }).click();
    await page.locator(".note.state-shown", { hasText: "Avant le gel" }).waitFor();

    // SIGSTOP: the process keeps its sockets open and answers nothing, as a frozen laptop does.
    relay.process.kill("SIGSTOP");
    const frozenAt = Date.now();
    await page.getByText("Hors ligne — vos notes partiront au retour du réseau").waitFor({ timeout: 12_000 });
    const noticedAfter = Date.now() - frozenAt;
    expect(noticedAfter).toBeLessThan(12_000);
    expect(noticedAfter).toBeGreaterThan(LIVENESS.pageQuietMs);
    await projector.getByTestId("board-offline").waitFor({ timeout: 12_000 - (Date.now() - frozenAt) });
    await page.getByLabel("Votre note").fill("Pendant le gel");
    await page.getByRole("button", { name: "Envoyer" }).click();
    await page.locator(".note.state-outbox", { hasText: "Pendant le gel" }).waitFor();
    await page.waitForTimeout(20_000 - (Date.now() - frozenAt));
    relay.process.kill("SIGCONT");

    await page.locator(".note.state-shown", { hasText: "Pendant le gel" }).waitFor({ timeout: 30_000 });
    await page.getByText("En ligne").waitFor();
    expect(await page.locator(".note", { hasText: "Pendant le gel" }).textContent()).toContain("Envoyée ✓");
    await projector.getByTestId("board-offline").waitFor({ state: "detached", timeout: 30_000 });

    const screen = connectScreen(relay.url, board.boardId, board.tokens.facilitator);
    await screen.synced();
    await waitFor(() => readNotes(screen.doc).length >= 2);
    // Give a duplicate every chance to show up before counting.
    await page.waitForTimeout(1_000);
    expect(
      readNotes(screen.doc)
        .map((n) => n.text)
        .sort(),
    ).toEqual(["Avant le gel", "Pendant le gel"]);
    screen.destroy();
    await page.close();
    await projector.close();
  });
});

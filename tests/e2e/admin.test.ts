import { useBrowserAndRelay } from "../support/e2e.ts";
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import { parse } from "csv-parse/sync";
import { PROJECTOR_VIEWPORT } from "../support/browser.ts";
import { PhoneClient } from "../support/phoneClient.ts";
import { seriousViolations } from "../support/axe.ts";

type Created = { boardId: string; joinCode: string; links: Record<string, string> };

describe("the organiser's page and the series of days (BOARD_CREATION=secret)", () => {
  const e2e = useBrowserAndRelay({ boardCreation: "secret" });
  const secret = () => e2e.relay.adminSecret;
  const createBoard = async (body: object): Promise<Created> => {
    const res = await fetch(`${e2e.relay.localUrl}/api/boards`, {
      method: "POST",
      headers: { Authorization: `Bearer ${secret()}` },
      body: JSON.stringify({ date: "2026-10-01", prompts: ["Idée"], categories: [], ...body }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as Created;
  };
  /** The organiser, in a context where axe may run (CSP bypassed for it only). */
  const organiser = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await e2e.browser.newContext({
      viewport: { width: 1366, height: 900 },
      locale: "fr-FR",
      acceptDownloads: true,
      bypassCSP: true,
    });
    const page = await context.newPage();
    await page.goto(`${e2e.relay.localUrl}/`);
    await page.getByRole("link", { name: /Organiser le réseau/ }).click();
    await page.getByLabel("Secret d'administration").waitFor();
    return { context, page };
  };

  it("asks for the secret, lists the boards, re-issues a lost facilitator link and opens an archive", async () => {
    const board = await createBoard({ title: "Journée perdue" });
    const oldLink = board.links.facilitator!.replace(/^http:\/\/[^/]+/, e2e.relay.localUrl);
    const facilitator = await e2e.browser.newPage({ viewport: PROJECTOR_VIEWPORT, locale: "fr-FR" });
    await facilitator.goto(oldLink);
    await facilitator.locator(".tl-canvas").waitFor();

    const { context, page } = await organiser();
    await page.getByLabel("Secret d'administration").fill("pas-le-bon-secret");
    await page.getByRole("button", { name: "Ouvrir" }).click();
    await page.getByRole("alert").filter({ hasText: "Ce secret n'est pas" }).waitFor();
    await page.getByLabel("Secret d'administration").fill(secret());
    await page.getByRole("button", { name: "Ouvrir" }).click();
    const row = page.locator(`tr[data-board="${board.boardId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("Journée perdue");
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel("Lien à réémettre pour « Journée perdue »").selectOption("facilitator");
    page.once("dialog", (d) => void d.accept());
    await row.getByRole("button", { name: "Nouveau lien pour « Journée perdue »" }).click();
    const issued = (await page.getByTestId("issued-link").textContent())!;
    expect(issued).toMatch(new RegExp(`/board/${board.boardId}#key=`));
    // The page open on the old link is closed and says so; the old link is refused from now on.
    await facilitator.getByRole("alert").filter({ hasText: "Ce lien n'est pas (ou plus) valide" }).waitFor();
    await facilitator.goto("about:blank");
    await facilitator.goto(oldLink);
    await facilitator.getByRole("alert").filter({ hasText: "Ce lien n'est pas (ou plus) valide" }).waitFor();
    await facilitator.goto(issued.replace(/^http:\/\/[^/]+/, e2e.relay.localUrl));
    await facilitator.locator(".tl-canvas").waitFor();
    await facilitator.close();

    await row.getByRole("link", { name: "Archives de « Journée perdue »" }).click();
    await page.getByRole("heading", { name: "Archives · Journée perdue" }).waitFor();
    await page.getByTestId("tally").waitFor();
    await context.close();
  });

  it("builds day 2 from day 1 with its themes; the series page shows both days, their images and the cross-day table", async () => {
    const day1 = await createBoard({
      title: "Jour 1",
      date: "2026-10-01",
      prompts: ["Repérer", "Orienter"],
      categories: ["Éducation", "Santé"],
      template: "bilan",
    });
    /** Phones post, then the facilitator's page lays the post-its in their zones and closes the day. */
    const runDay = async (board: Created, notes: [string, string, string][]) => {
      const phone = await PhoneClient.connect(e2e.relay.localUrl, board.joinCode);
      for (const [text, prompt, category] of notes)
        expect((await phone.submit({ text, prompt, category })).type).toBe("ack");
      phone.close();
      const page = await e2e.browser.newPage({ viewport: PROJECTOR_VIEWPORT, locale: "fr-FR" });
      await page.goto(board.links.facilitator!.replace(/^http:\/\/[^/]+/, e2e.relay.localUrl));
      await page
        .locator(".tl-canvas .atelier-note")
        .nth(notes.length - 1)
        .waitFor({ state: "attached" });
      page.once("dialog", (d) => void d.accept());
      await page.getByRole("button", { name: "Clore la journée" }).click();
      await page
        .getByTestId("archive-progress")
        .filter({ hasText: "image et instantané archivés" })
        .waitFor({ timeout: 60_000 });
      await page.close();
    };
    await runDay(day1, [
      ["Former les équipes", "p1", "c1"],
      ["Repérer les signaux", "p1", "c2"],
      ["Un annuaire", "p2", "c1"],
    ]);

    // Day 2 from the new-board page, which this tab's secret lets start from day 1.
    const { context, page } = await organiser();
    await page.getByLabel("Secret d'administration").fill(secret());
    await page.getByRole("button", { name: "Ouvrir" }).click();
    await page
      .locator(`tr[data-board="${day1.boardId}"]`)
      .getByRole("link", { name: "Préparer la journée suivante de « Jour 1 »" })
      .click();
    await page.getByRole("group", { name: "Partir d'une journée précédente" }).waitFor();
    expect(await page.locator('select[name="from"]').inputValue()).toBe(day1.boardId);
    await page.getByLabel("Titre de la journée").fill("Jour 2");
    await page.getByLabel("Date").fill("2026-12-01");
    await page.getByRole("button", { name: "Créer le tableau" }).click();
    const participant = (await page.locator('li[data-role="participant"] a').textContent())!;
    const facilitatorLink = (await page.locator('li[data-role="facilitator"] a').textContent())!;
    const day2: Created = {
      boardId: new URL(facilitatorLink).pathname.split("/")[2]!,
      joinCode: participant.split("/j/")[1]!,
      links: { facilitator: facilitatorLink },
    };
    await runDay(day2, [
      ["Des temps d'échange", "p1", "c2"],
      ["Qui appeler", "p2", "c2"],
      ["Un numéro unique", "p2", "c1"],
      ["Une fiche réflexe", "p2", ""],
    ]);

    // The series page, from the organiser's page.
    await page.goto(`${e2e.relay.localUrl}/admin`);
    await page.getByRole("link", { name: "Page de la série" }).click();
    await page.getByRole("heading", { name: "Série · Jour 1" }).waitFor();
    const days = page.locator("ol.days > li");
    await expect.poll(() => days.count()).toBe(2);
    expect(await days.nth(0).textContent()).toContain("Jour 1");
    expect(await days.nth(1).textContent()).toContain("Jour 2");
    await expect.poll(() => page.locator("ol.days img.board-image").count()).toBe(2);
    const table = page.getByTestId("cross-day");
    expect(await table.locator("tbody tr").nth(0).textContent()).toMatch(/^Repérer21312/);
    expect(await table.locator("tbody tr").nth(1).textContent()).toMatch(/^Orienter13421/);
    expect(await seriousViolations(page)).toEqual([]);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Tableau des thèmes par journée (CSV)" }).click(),
    ]);
    const rows = parse(readFileSync((await download.path())!), { bom: true, delimiter: ";" }) as string[][];
    expect(rows[0]).toEqual([
      "Thème",
      "Titres regroupés",
      "2026-10-01 Jour 1",
      "2026-12-01 Jour 2",
      "Total",
      "Catégorie : Éducation",
      "Catégorie : Santé",
    ]);
    expect(rows.slice(1)).toEqual([
      ["Repérer", "", "2", "1", "3", "1", "2"],
      ["Orienter", "", "1", "3", "4", "2", "1"],
      ["Hors thème", "", "0", "0", "0", "0", "0"],
    ]);

    // Merging two titles from the page: one row, counted together.
    await page.getByLabel("Compter « Orienter » avec un autre thème").selectOption("Repérer");
    await page.getByRole("button", { name: "Rapprocher « Orienter » du thème choisi" }).click();
    await page.getByRole("status").filter({ hasText: "« Orienter » est désormais compté avec « Repérer »" }).waitFor();
    expect(await table.locator("tbody tr").count()).toBe(2);
    expect(await table.locator("tbody tr").nth(0).textContent()).toMatch(/^Repérer \(Orienter\)34733/);
    await context.close();
  });
});

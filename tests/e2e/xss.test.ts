import { useBrowserAndRelay } from "../support/e2e.ts";
import { describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import type { Page } from "playwright-core";
import { PROJECTOR_VIEWPORT } from "../support/browser.ts";
import { createTestBoard } from "../support/relay.ts";
import { PhoneClient } from "../support/phoneClient.ts";

const HTML = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
const FORMULA = `=HYPERLINK("http://evil.example","clic")`;

/** Nothing ran and no element was made from the payloads; they show as text. */
async function inert(page: Page, visibleText: string): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(await page.locator("body").innerText()).toContain(visibleText);
}

describe("hostile text is inert everywhere", () => {
  const e2e = useBrowserAndRelay();

  it("on the board, the projector, the archive, the debrief and in the CSVs", async () => {
    const board = await createTestBoard(e2e.relay.localUrl, { title: `Journée ${HTML}` });
    const phone = await PhoneClient.connect(e2e.relay.localUrl, board.joinCode);
    expect((await phone.submit({ text: HTML, author: "<b>Eve</b>" })).type).toBe("ack");
    expect((await phone.submit({ text: FORMULA, author: "@admin" })).type).toBe("ack");
    const dialogs: string[] = [];
    const open = async (path: string) => {
      const page = await e2e.browser.newPage({ viewport: PROJECTOR_VIEWPORT, locale: "fr-FR" });
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.goto(e2e.relay.localUrl + path);
      return page;
    };

    const facilitator = await open(`/board/${board.boardId}#key=${board.tokens.facilitator}`);
    await facilitator.locator(".tl-canvas .atelier-note").nth(1).waitFor({ state: "attached" });
    await facilitator.getByLabel("Titre du thème").fill(HTML);
    await facilitator.getByRole("button", { name: "Nouveau thème" }).click();
    await facilitator.locator(".atelier-theme-count").waitFor();
    await inert(facilitator, "onerror");

    const projector = await open(`/screen/${board.boardId}#key=${board.tokens.projector}`);
    await projector.locator(".tl-canvas .atelier-note").nth(1).waitFor({ state: "attached" });
    await inert(projector, "HYPERLINK");

    const phonePage = await open(`/j/${board.joinCode}`);
    await phonePage.getByText("En ligne").waitFor();
    await inert(phonePage, "Journée <img");

    const archive = await open(`/archive/${board.boardId}#key=${board.tokens.coordinator}`);
    await archive.getByTestId("tally").waitFor();
    await inert(archive, "onerror");
    const debrief = await open(`/debrief/${board.boardId}#key=${board.tokens.coordinator}&snapshot=live`);
    await debrief.getByTestId("tally").waitFor();
    await inert(debrief, "<script>");
    expect(dialogs).toEqual([]);

    const csv = await (
      await fetch(`${e2e.relay.localUrl}/api/boards/${board.boardId}/snapshots/live/notes.csv`, {
        headers: { Authorization: `Bearer ${board.tokens.coordinator}` },
      })
    ).arrayBuffer();
    const rows = parse(Buffer.from(csv).toString("utf8"), { bom: true, delimiter: ";" }) as string[][];
    const cells = rows.flat();
    expect(cells).toContain(`'${FORMULA}`);
    expect(cells).toContain("'@admin");
    expect(cells.every((c) => !/^[=+\-@]/.test(c))).toBe(true);
    phone.close();
  });
});

import { useBrowserAndRelay } from "../support/e2e.ts";
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { PROJECTOR_VIEWPORT } from "../support/browser.ts";
import { createTestBoard } from "../support/relay.ts";
import { PhoneClient } from "../support/phoneClient.ts";

const corpus = JSON.parse(
  readFileSync(new URL("../fixtures/curation/themes-corpus.json", import.meta.url), "utf8"),
) as { notes: { text: string; theme: string }[] };

type Tally = { tally: { themes: { title: string; count: number }[]; outside: { count: number } } };

describe("theme suggestions on the facilitator's board", () => {
  const e2e = useBrowserAndRelay();

  it("previews, asks for fewer, accepts two and rejects one: frames with their notes, counted, on the projector", async () => {
    const board = await createTestBoard(e2e.relay.localUrl);
    // Four themes' worth of phone notes, from several phones (each phone has a note budget).
    const notes = ["t2", "t4", "t6", "t7"].flatMap((theme) =>
      corpus.notes.filter((n) => n.theme === theme).slice(0, 8),
    );
    for (let p = 0; p < notes.length; p += 8) {
      const phone = await PhoneClient.connect(e2e.relay.localUrl, board.joinCode);
      for (const note of notes.slice(p, p + 8)) expect((await phone.submit({ text: note.text })).type).toBe("ack");
      phone.close();
    }
    const page = await e2e.browser.newPage({ viewport: { width: 1366, height: 768 }, locale: "fr-FR" });
    await page.goto(`${e2e.relay.localUrl}/board/${board.boardId}#key=${board.tokens.facilitator}`);
    await page
      .locator(".tl-canvas .atelier-note")
      .nth(notes.length - 1)
      .waitFor({ state: "attached" });
    const projector = await e2e.browser.newPage({ viewport: PROJECTOR_VIEWPORT, locale: "fr-FR" });
    await projector.goto(`${e2e.relay.localUrl}/screen/${board.boardId}#key=${board.tokens.projector}`);
    await projector.locator(".tl-canvas").waitFor();

    await page.getByRole("button", { name: "Suggérer des thèmes" }).click();
    const items = page.locator("[data-suggestion]");
    await items.first().waitFor();
    const before = await items.count();
    expect(before).toBeGreaterThanOrEqual(3);
    await page.getByRole("button", { name: "Moins de thèmes" }).click();
    await expect.poll(() => items.count()).toBe(before - 1);
    // Nothing reached the canvas yet.
    expect(((await (await tallyOf()).json()) as Tally).tally.themes).toEqual([]);

    const accepted: { title: string; size: number }[] = [];
    for (let i = 0; i < 2; i++) {
      const item = items.first();
      const title = `${await item.locator("input").inputValue()} ${i + 1}`;
      await item.locator("input").fill(title);
      const size = Number(/(\d+) notes?/.exec((await item.textContent())!)![1]);
      await item.getByRole("button", { name: `Accepter le thème « ${title} »` }).click();
      accepted.push({ title, size });
    }
    const third = await items.first().locator("input").inputValue();
    await items
      .first()
      .getByRole("button", { name: `Rejeter le thème « ${third} »` })
      .click();
    await expect.poll(() => items.count()).toBe(before - 4);

    // The tally counts the accepted themes with their notes; the projector shows them with their counts.
    await expect
      .poll(async () => ((await (await tallyOf()).json()) as Tally).tally.themes.map((th) => [th.title, th.count]), {
        timeout: 10_000,
      })
      .toEqual(accepted.map((a) => [a.title, a.size]));
    for (const a of accepted) {
      await projector.getByText(a.title, { exact: true }).first().waitFor();
      await projector.getByLabel(`${a.size} notes`).first().waitFor();
    }

    async function tallyOf() {
      return fetch(`${e2e.relay.localUrl}/api/boards/${board.boardId}/snapshots/live/tally.json`, {
        headers: { Authorization: `Bearer ${board.tokens.coordinator}` },
      });
    }
  });
});

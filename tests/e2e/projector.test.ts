import { useBrowserAndRelay } from "../support/e2e.ts";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { PROJECTOR_VIEWPORT } from "../support/browser.ts";
import { createTestBoard } from "../support/relay.ts";
import { PhoneClient } from "../support/phoneClient.ts";

type Box = { x: number; y: number; width: number; height: number };

/** The part of the projector the join panel and the bar leave free, in CSS pixels. */
async function freeArea(page: Page): Promise<Box> {
  return page.evaluate(() => {
    const join = document.querySelector(".projector-join")?.getBoundingClientRect();
    const bar = document.querySelector(".projector-bar")?.getBoundingClientRect();
    return { x: 0, y: 0, width: join ? join.left : innerWidth, height: bar ? bar.top : innerHeight };
  });
}

const inside = (inner: Box, outer: Box) =>
  inner.x >= outer.x - 1 &&
  inner.y >= outer.y - 1 &&
  inner.x + inner.width <= outer.x + outer.width + 1 &&
  inner.y + inner.height <= outer.y + outer.height + 1;

/** Texts of the post-its whose whole card is on screen, clear of the overlays. */
async function notesInView(page: Page): Promise<string[]> {
  const area = await freeArea(page);
  const out: string[] = [];
  for (const note of await page.locator(".tl-canvas .atelier-note").all()) {
    const box = await note.boundingBox();
    if (box && box.width > 20 && inside(box, area))
      out.push((await note.locator(".atelier-note-text").textContent()) ?? "");
  }
  return out.sort();
}

/** tldraw's camera, read from the transform it puts on its shapes layer. */
async function camera(page: Page): Promise<{ x: number; y: number; z: number }> {
  return page.evaluate(() => {
    const layer = document.querySelector<HTMLElement>(".tl-html-layer.tl-shapes")!;
    const m = /scale\(([-\d.e]+)\)\s*translate\(([-\d.e]+)px,\s*([-\d.e]+)px\)/.exec(layer.style.transform)!;
    return { z: Number(m[1]), x: Number(m[2]), y: Number(m[3]) };
  });
}

/** The page point at the centre of a screen area. */
async function centreOf(page: Page, area: Box): Promise<{ x: number; y: number; w: number }> {
  const c = await camera(page);
  return { x: (area.x + area.width / 2) / c.z - c.x, y: (area.y + area.height / 2) / c.z - c.y, w: area.width / c.z };
}

async function canvasArea(page: Page): Promise<Box> {
  return (await page.locator(".tl-container").boundingBox())!;
}

describe("the projector on its own", () => {
  const e2e = useBrowserAndRelay();

  it("shows every phone note with no facilitator open, and brings new ones into view", async () => {
    const board = await createTestBoard(e2e.relay.localUrl);
    // A room of phones, four notes each (one phone may post ten in a burst).
    const phones = await Promise.all(
      Array.from({ length: 5 }, () => PhoneClient.connect(e2e.relay.localUrl, board.joinCode)),
    );
    const post = async (texts: string[]) => {
      for (const [i, text] of texts.entries())
        expect(await phones[i % phones.length]!.submit({ text })).toMatchObject({ type: "ack" });
    };
    const texts = Array.from({ length: 12 }, (_, i) => `Note du matin ${i + 1}`);
    await post(texts);

    const projector = await e2e.browser.newPage({ viewport: PROJECTOR_VIEWPORT, locale: "fr-FR" });
    await projector.goto(`${e2e.relay.localUrl}/screen/${board.boardId}#key=${board.tokens.projector}`);
    await projector.locator(".tl-canvas").waitFor({ timeout: 30_000 });
    const opened = Date.now();
    await expect.poll(() => notesInView(projector), { timeout: 5_000, interval: 200 }).toEqual([...texts].sort());
    expect(Date.now() - opened).toBeLessThan(5_000);

    // Eight more arrive in a burst: the board refits to hold them all.
    const later = Array.from({ length: 8 }, (_, i) => `Note de l'après-midi ${i + 1}`);
    await post(later);
    await expect
      .poll(() => notesInView(projector), { timeout: 10_000, interval: 250 })
      .toEqual([...texts, ...later].sort());
    expect(await projector.getByTestId("note-count").textContent()).toBe("20 notes");
    for (const phone of phones) phone.close();
    await projector.close();
  });

  it("follows only the presenting facilitator, fits a chosen theme, and falls back to the whole board when they leave", async () => {
    const board = await createTestBoard(e2e.relay.localUrl);
    const phone = await PhoneClient.connect(e2e.relay.localUrl, board.joinCode);
    for (const text of ["Un", "Deux", "Trois", "Quatre"]) await phone.submit({ text });
    const origin = e2e.relay.localUrl;
    const facilitatorLink = `${origin}/board/${board.boardId}#key=${board.tokens.facilitator}`;
    const fac1 = await e2e.browser.newPage({ viewport: { width: 1280, height: 800 }, locale: "fr-FR" });
    const fac2 = await e2e.browser.newPage({ viewport: { width: 1280, height: 800 }, locale: "fr-FR" });
    const projector = await e2e.browser.newPage({ viewport: PROJECTOR_VIEWPORT, locale: "fr-FR" });
    await fac1.goto(facilitatorLink);
    await fac2.goto(facilitatorLink);
    await projector.goto(`${origin}/screen/${board.boardId}#key=${board.tokens.projector}`);
    for (const page of [fac1, fac2, projector]) await page.locator(".tl-canvas").waitFor({ timeout: 30_000 });

    await expect(fac1.getByTestId("present-status").textContent()).resolves.toBe(
      "Le projecteur montre tout le tableau.",
    );
    await fac1.getByRole("button", { name: "Ce que je vois" }).click();
    await fac1.getByTestId("presenting-badge").waitFor();
    await expect.poll(() => fac2.getByTestId("present-status").textContent()).toMatch(/^Animation \d\d présente\.$/);

    const pan = async (page: Page, dx: number, dy: number) => {
      const area = await canvasArea(page);
      await page.mouse.move(area.x + area.width / 2, area.y + area.height / 2);
      await page.mouse.wheel(dx, dy);
    };
    // The projector's centre matches fac1's view, within a tenth of its width.
    const followsView = async (page: Page) => {
      const want = await centreOf(page, await canvasArea(page));
      const got = await centreOf(projector, await freeArea(projector));
      return Math.hypot(want.x - got.x, want.y - got.y) < want.w / 10;
    };
    await pan(fac1, 900, 500);
    await expect.poll(() => followsView(fac1), { timeout: 5_000 }).toBe(true);
    await pan(fac2, -2500, -1500);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await followsView(fac1)).toBe(true);
    expect(await followsView(fac2)).toBe(false);

    // A theme, selected on fac1, then « Ce thème »: the projector fits its frame.
    await fac1.getByLabel("Titre du thème").fill("Repérage");
    await fac1.getByRole("button", { name: "Nouveau thème" }).click();
    const heading = fac1.locator(".tl-frame-heading").first();
    await heading.waitFor();
    await heading.click();
    await fac1.getByRole("button", { name: "Ce thème" }).click();
    await expect
      .poll(() => fac1.getByTestId("present-status").textContent())
      .toBe("Vous présentez le thème « Repérage ».");
    const frameId = await fac1.locator(".atelier-theme-count").first().getAttribute("data-theme-id");
    const fitsFrame = async () => {
      const frame = await projector.locator(`[data-shape-id="${frameId}"]`).boundingBox();
      const area = await freeArea(projector);
      return !!frame && inside(frame, area) && (frame.height > area.height * 0.7 || frame.width > area.width * 0.7);
    };
    await expect.poll(fitsFrame, { timeout: 5_000 }).toBe(true);

    // fac2 names its cursor: fac1 sees the name, and fac2's computer remembers it.
    await fac2.getByLabel("Votre nom sur le curseur").fill("Claire");
    const area2 = await canvasArea(fac2);
    await fac2.mouse.move(area2.x + 100, area2.y + 100);
    await fac2.mouse.move(area2.x + 200, area2.y + 150, { steps: 4 });
    await fac1.getByTestId("remote-cursor").filter({ hasText: "Claire" }).waitFor({ timeout: 10_000 });
    await fac2.reload();
    await expect.poll(() => fac2.getByLabel("Votre nom sur le curseur").inputValue()).toBe("Claire");

    // fac1 leaves: after the grace period the room sees the whole board, every note in view.
    await fac1.close();
    await expect
      .poll(() => notesInView(projector), { timeout: 8_000, interval: 250 })
      .toEqual(["Deux", "Quatre", "Trois", "Un"]);
    phone.close();
    for (const page of [fac2, projector]) await page.close();
  });
});

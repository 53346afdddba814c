import { useBrowserAndRelay } from "../support/e2e.ts";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { PHONE_VIEWPORT, PROJECTOR_VIEWPORT } from "../support/browser.ts";
import { createTestBoard } from "../support/relay.ts";
import { CloseCode } from "@atelier/shared/wire/closeCodes";
import { PhoneClient } from "../support/phoneClient.ts";

describe("the facilitator's board and the projector", () => {
  const e2e = useBrowserAndRelay();

  const postIt = (page: Page, text: string) => page.locator(".tl-canvas .atelier-note", { hasText: text });
  const badge = (page: Page) => page.locator(".atelier-theme-count");

  it("turns phone notes into post-its everywhere, syncs moves into themes, keeps hidden notes off the projector", async () => {
    const board = await createTestBoard(e2e.relay.localUrl);
    const origin = e2e.relay.localUrl;
    const link = (role: "facilitator" | "projector") =>
      `${origin}/${role === "facilitator" ? "board" : "screen"}/${board.boardId}#key=${board.tokens[role]}`;
    const requested: string[] = [];
    const projectorFrames: string[] = [];
    const open = async (viewport: { width: number; height: number }, url: string) => {
      const page = await e2e.browser.newPage({ viewport, locale: "fr-FR" });
      page.on("request", (r) => requested.push(r.url()));
      await page.goto(url);
      return page;
    };

    const fac1 = await open(PROJECTOR_VIEWPORT, link("facilitator"));
    const fac2 = await open({ width: 1280, height: 800 }, link("facilitator"));
    const projector = await e2e.browser.newPage({ viewport: PROJECTOR_VIEWPORT, locale: "fr-FR" });
    projector.on("request", (r) => requested.push(r.url()));
    projector.on("websocket", (ws) =>
      ws.on("framereceived", (f) => projectorFrames.push(Buffer.from(f.payload).toString("utf8"))),
    );
    await projector.goto(link("projector"));
    const phone = await open(PHONE_VIEWPORT, `${origin}/j/${board.joinCode}`);
    for (const page of [fac1, fac2, projector]) await page.locator(".tl-canvas").waitFor({ timeout: 30_000 });

    // A phone note becomes one post-it on each board page.
    await phone.getByLabel("Votre note").fill("Repérer les signaux faibles");
    await phone.getByRole("button", { name: "Envoyer" }).click();
    // (attached: a screen may have scrolled it out of view, tldraw then culls it)
    for (const page of [fac1, fac2, projector])
      await postIt(page, "Repérer les signaux faibles").waitFor({ state: "attached" });
    expect(await postIt(fac2, "Repérer les signaux faibles").count()).toBe(1);

    // A theme made on one facilitator page appears on the others, with its count.
    await fac1.getByLabel("Titre du thème").fill("Repérage");
    await fac1.getByRole("button", { name: "Nouveau thème" }).click();
    for (const page of [fac1, fac2, projector]) await expect.poll(() => badge(page).allTextContents()).toEqual(["0"]);

    // Drag the post-it into the theme on facilitator 1.
    const note = (await postIt(fac1, "Repérer les signaux faibles").boundingBox())!;
    const themeId = await badge(fac1).getAttribute("data-theme-id");
    const frame = (await fac1.locator(`[data-shape-id="${themeId}"]`).boundingBox())!;
    await fac1.mouse.move(note.x + note.width / 2, note.y + note.height / 2);
    await fac1.mouse.down();
    await fac1.mouse.move(frame.x + frame.width / 2, frame.y + frame.height / 2, { steps: 12 });
    await fac1.mouse.up();
    for (const page of [fac1, fac2, projector])
      await expect.poll(() => badge(page).allTextContents(), { timeout: 10_000 }).toEqual(["1"]);
    // The post-it sits inside the theme's frame on the other screens too.
    const inside = async (page: Page) => {
      const n = (await postIt(page, "Repérer les signaux faibles").boundingBox())!;
      const f = (await page.locator(`[data-shape-id="${themeId}"]`).boundingBox())!;
      return n.x >= f.x && n.y >= f.y && n.x + n.width <= f.x + f.width + 1 && n.y + n.height <= f.y + f.height + 1;
    };
    await expect.poll(() => inside(projector)).toBe(true);
    // Facilitator 2 looks elsewhere: zoom to fit (Shift+1), then check there too.
    await fac2.locator(".tl-canvas").click({ position: { x: 5, y: 400 } });
    await fac2.keyboard.press("Shift+1");
    await expect.poll(() => inside(fac2)).toBe(true);

    // Facilitator 1's pointer shows on facilitator 2, with a name (awareness between board screens).
    await fac1.mouse.move(frame.x + 20, frame.y + 20);
    await fac1.mouse.move(frame.x + 40, frame.y + 30, { steps: 4 });
    await fac2.getByTestId("remote-cursor").first().waitFor({ timeout: 10_000 });
    expect(await fac2.getByTestId("remote-cursor").first().textContent()).toMatch(/^Animation \d\d$/);

    // Controlled mode: a note waiting for approval, then hidden, never reaches the projector.
    await fac1.getByRole("button", { name: "Passer en mode contrôlé" }).click();
    await phone.getByText("Vos notes seront affichées après validation").waitFor();
    await phone.getByLabel("Votre note").fill("Léa m'a raconté ce qui s'est passé");
    await phone.getByRole("button", { name: "Envoyer" }).click();
    await phone.getByText("en attente de validation").waitFor();
    const pending = fac1.locator(".atelier-panel li", { hasText: "m'a raconté ce qui s'est passé" });
    await pending.waitFor();
    await pending.getByRole("button", { name: "Masquer" }).click();
    await fac1.locator(".atelier-panel section", { hasText: "Masquées (1)" }).waitFor();
    // Hide the shown note too: its post-it leaves every screen.
    await fac1
      .locator(".atelier-panel li", { hasText: "Repérer les signaux faibles" })
      .getByRole("button", { name: "Masquer" })
      .click();
    for (const page of [fac1, fac2, projector])
      await postIt(page, "Repérer les signaux faibles").waitFor({ state: "detached" });
    await expect.poll(() => badge(projector).allTextContents()).toEqual(["0"]);
    expect(projectorFrames.length).toBeGreaterThan(0);
    expect(projectorFrames.some((f) => f.includes("Léa m'a raconté"))).toBe(false);
    expect(await projector.content()).not.toContain("Léa m'a raconté");

    // The projector has no editing UI, and the relay refuses its writes.
    expect(await projector.locator(".tlui-toolbar").count()).toBe(0);
    const closeCode = await projector.evaluate(
      ({ boardId, token }) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/ws/board/${boardId}/room?token=${token}`);
          ws.binaryType = "arraybuffer";
          // sync / update / a Yjs update setting settings.title = "piraté", three times.
          const update = new Uint8Array([
            0, 2, 33, 1, 1, 146, 33, 0, 40, 1, 8, 115, 101, 116, 116, 105, 110, 103, 115, 5, 116, 105, 116, 108, 101, 1,
            119, 7, 112, 105, 114, 97, 116, 195, 169, 0,
          ]);
          ws.onopen = () => [0, 1, 2].forEach(() => ws.send(update));
          ws.onclose = (e) => resolve(e.code);
        }),
      { boardId: board.boardId, token: board.tokens.projector },
    );
    expect(closeCode).toBe(CloseCode.Forbidden);

    // Nothing was requested from any host but the e2e.relay.
    const foreign = requested.filter((u) => !u.startsWith(origin) && !u.startsWith("data:") && !u.startsWith("blob:"));
    expect(foreign).toEqual([]);
    expect(requested.length).toBeGreaterThan(10);
    for (const page of [fac1, fac2, projector, phone]) await page.close();
  });
  it("lists the latest 50 notes on the board and shows the earlier ones on request", async () => {
    const board = await createTestBoard(e2e.relay.localUrl);
    // 54 notes from 6 phones (each phone may post 10 in a burst).
    for (let p = 0; p < 6; p++) {
      const phone = await PhoneClient.connect(e2e.relay.localUrl, board.joinCode);
      for (let n = 0; n < 9; n++)
        expect((await phone.submit({ text: `Note ${p * 9 + n + 1} du téléphone ${p + 1}` })).type).toBe("ack");
      phone.close();
    }
    const page = await e2e.browser.newPage({ viewport: PROJECTOR_VIEWPORT, locale: "fr-FR" });
    await page.goto(`${e2e.relay.localUrl}/board/${board.boardId}#key=${board.tokens.facilitator}`);
    const list = page.locator(".panel-list", { has: page.getByRole("heading", { name: "Au tableau (54)" }) });
    await list.waitFor();
    await expect.poll(() => list.locator("li").count()).toBe(50);
    expect(await list.locator("li").first().textContent()).toContain("Note 5 du téléphone 1");
    await list.getByRole("button", { name: "Afficher les 4 notes précédentes" }).click();
    await expect.poll(() => list.locator("li").count()).toBe(54);
    expect(await list.locator("li").first().textContent()).toContain("Note 1 du téléphone 1");
    // Keyboard focus lands on the first note shown, not back at the top of the page.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? "")).toContain("Note 1 du");
    await page.close();
  });
});

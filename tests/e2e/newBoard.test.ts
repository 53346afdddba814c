import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchChromium, PROJECTOR_VIEWPORT } from "../support/browser.ts";
import { startE2eRelay } from "../support/e2eRelay.ts";
import { removeDir } from "../support/relay.ts";

describe("the new-board page", () => {
  let browser: Browser;
  let relay: Awaited<ReturnType<typeof startE2eRelay>>;

  beforeAll(async () => {
    [browser, relay] = await Promise.all([launchChromium(), startE2eRelay()]);
  });
  afterAll(async () => {
    await browser?.close();
    await relay?.close();
    if (relay) removeDir(relay.dataDir);
  });

  it("creates a board and hands out four working links", async () => {
    const page = await browser.newPage({ viewport: PROJECTOR_VIEWPORT, locale: "fr-FR" });
    await page.goto(`${relay.localUrl}/new`);
    await page.getByLabel("Titre de la journée").fill("Réseau VSS mineurs — journée du 30 novembre");
    await page.getByRole("button", { name: "Créer le tableau" }).click();
    await page.locator(".links").waitFor();

    const links = Object.fromEntries(
      await Promise.all(
        ["facilitator", "projector", "participant", "coordinator"].map(async (role) => [
          role,
          await page.locator(`[data-role=${role}] a`).getAttribute("href"),
        ]),
      ),
    ) as Record<string, string>;
    expect(links.facilitator).toMatch(/\/board\/[a-z0-9]+#key=[\w-]{24}$/);
    expect(links.projector).toMatch(/\/screen\/[a-z0-9]+#key=[\w-]{24}$/);
    expect(links.coordinator).toMatch(/\/archive\/[a-z0-9]+#key=[\w-]{24}$/);
    expect(links.participant).toMatch(/\/j\/[A-Z0-9]{6}$/);
    // The QR code for phones is rendered.
    await page.waitForFunction(
      () => ((document.querySelector("img.qr") as HTMLImageElement | null)?.naturalWidth ?? 0) > 0,
    );

    // Each token opens its role at the relay.
    const boardId = new URL(links.facilitator!).pathname.split("/")[2];
    for (const role of ["facilitator", "projector", "coordinator"]) {
      const token = new URL(links[role]!).hash.slice("#key=".length);
      const res = await fetch(`${relay.localUrl}/api/boards/${boardId}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(await res.json()).toMatchObject({
        role,
        settings: { title: "Réseau VSS mineurs — journée du 30 novembre" },
      });
    }
    const code = new URL(links.participant!).pathname.split("/")[2];
    expect((await fetch(`${relay.localUrl}/api/join/${code}`)).status).toBe(200);
    await page.close();
  });

  it("switches to English and remembers it", async () => {
    const page = await browser.newPage({ locale: "fr-FR" });
    await page.goto(`${relay.localUrl}/new`);
    await page.getByRole("button", { name: "Switch to English" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("New board");
    await page.reload();
    expect(await page.locator("h1").textContent()).toBe("New board");
    await page.close();
  });
});

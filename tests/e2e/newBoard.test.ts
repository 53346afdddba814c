import { useBrowserAndRelay } from "../support/e2e.ts";
import { describe, expect, it } from "vitest";
import { PROJECTOR_VIEWPORT } from "../support/browser.ts";

describe("the new-board page", () => {
  const e2e = useBrowserAndRelay();

  it("creates a board and hands out four working links", async () => {
    const page = await e2e.browser.newPage({ viewport: PROJECTOR_VIEWPORT, locale: "fr-FR" });
    await page.goto(`${e2e.relay.localUrl}/new`);
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

    // Each token opens its role at the e2e.relay.
    const boardId = new URL(links.facilitator!).pathname.split("/")[2];
    for (const role of ["facilitator", "projector", "coordinator"]) {
      const token = new URL(links[role]!).hash.slice("#key=".length);
      const res = await fetch(`${e2e.relay.localUrl}/api/boards/${boardId}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(await res.json()).toMatchObject({
        role,
        settings: { title: "Réseau VSS mineurs — journée du 30 novembre" },
      });
    }
    const code = new URL(links.participant!).pathname.split("/")[2];
    expect((await fetch(`${e2e.relay.localUrl}/api/join/${code}`)).status).toBe(200);
    await page.close();
  });

  it("switches to English and remembers it", async () => {
    const page = await e2e.browser.newPage({ locale: "fr-FR" });
    await page.goto(`${e2e.relay.localUrl}/new`);
    await page.getByRole("button", { name: "Switch to English" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("New board");
    await page.reload();
    expect(await page.locator("h1").textContent()).toBe("New board");
    await page.close();
  });
});

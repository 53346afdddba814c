import { useBrowserAndRelay } from "../support/e2e.ts";
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { parse } from "csv-parse/sync";
import JSZip from "jszip";
import mammoth from "mammoth";
import { PROJECTOR_VIEWPORT } from "../support/browser.ts";
import { createTestBoard } from "../support/relay.ts";
import { PhoneClient } from "../support/phoneClient.ts";

/** Decodes a PNG in the browser and counts pixels that are not background. */
async function inkRatio(page: Page, png: Buffer): Promise<{ width: number; height: number; ink: number }> {
  return page.evaluate(async (base64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${base64}`;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext("2d")!;
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! < 235 || data[i + 1]! < 235 || data[i + 2]! < 235) ink++;
    return { width: img.naturalWidth, height: img.naturalHeight, ink: ink / (data.length / 4) };
  }, png.toString("base64"));
}

describe("closing the day and the archive", () => {
  const e2e = useBrowserAndRelay();

  it("closes the day from the board, then the coordinator downloads PNG, SVG, CSV and prints the debrief", async () => {
    const board = await createTestBoard(e2e.relay.localUrl, { title: "Journée du réseau" });
    const phone = await PhoneClient.connect(e2e.relay.localUrl, board.joinCode);
    for (const text of ["Repérer plus tôt", "Un annuaire commun", "Former les équipes"])
      await phone.submit({ text, category: "c1" });

    const facilitator = await e2e.browser.newPage({ viewport: PROJECTOR_VIEWPORT, locale: "fr-FR" });
    await facilitator.goto(`${e2e.relay.localUrl}/board/${board.boardId}#key=${board.tokens.facilitator}`);
    await facilitator.locator(".tl-canvas .atelier-note").nth(2).waitFor({ state: "attached" });
    await facilitator.getByLabel("Titre du thème").fill("Repérage");
    await facilitator.getByRole("button", { name: "Nouveau thème" }).click();
    facilitator.once("dialog", (d) => void d.accept());
    await facilitator.getByRole("button", { name: "Clore la journée" }).click();
    await facilitator
      .getByTestId("archive-progress")
      .filter({ hasText: "image et instantané archivés" })
      .waitFor({ timeout: 60_000 });
    expect(await phone.submit({ text: "Trop tard" })).toMatchObject({ reason: "submissions_locked" });

    const coordinator = await e2e.browser.newPage({
      viewport: { width: 1280, height: 900 },
      locale: "fr-FR",
      acceptDownloads: true,
    });
    await coordinator.goto(`${e2e.relay.localUrl}/archive/${board.boardId}#key=${board.tokens.coordinator}`);
    const closeEntry = coordinator.getByRole("button", { name: /Clôture/ });
    await closeEntry.click();
    await coordinator.locator("img.board-image").waitFor();

    const fetchDownload = async (name: string) => {
      const [download] = await Promise.all([
        coordinator.waitForEvent("download"),
        coordinator.getByRole("button", { name }).click(),
      ]);
      return readFileSync((await download.path())!);
    };
    const png = await fetchDownload("Image PNG");
    const svg = (await fetchDownload("Image SVG")).toString("utf8");
    const csv = (await fetchDownload("Toutes les notes (CSV)")).toString("utf8");

    // The PNG decodes, is not blank, and has the board's proportions (those of the SVG export).
    const decoded = await inkRatio(coordinator, png);
    expect(decoded.ink).toBeGreaterThan(0.01);
    const svgWidth = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1]);
    const svgHeight = Number(/<svg[^>]*\sheight="([\d.]+)"/.exec(svg)?.[1]);
    expect(decoded.width / decoded.height).toBeCloseTo(svgWidth / svgHeight, 1);
    expect(svg).toContain("Repérer plus tôt");
    // The fonts the board uses travel inside the SVG, each once, so that it opens elsewhere as it looked.
    const faces = svg.match(/@font-face\s*{[^}]*}/g) ?? [];
    expect(faces.length).toBeGreaterThan(0);
    expect(new Set(faces).size).toBe(faces.length);
    // The theme carries its count in the image, as on the screens (empty here: « 0 note »).
    expect(svg).toMatch(/Repérage[\s\S]*>0 note</);
    const rows = parse(csv, { bom: true, delimiter: ";" }) as string[][];
    expect(
      rows
        .slice(1)
        .map((r) => r[1])
        .sort(),
    ).toEqual(["Former les équipes", "Repérer plus tôt", "Un annuaire commun"]);

    // The editable debrief: a real DOCX with the notes under their theme and the close's board image.
    const docx = await fetchDownload("Bilan modifiable (.docx)");
    const { value: text } = await mammoth.extractRawText({ buffer: docx });
    for (const note of ["Repérer plus tôt", "Un annuaire commun", "Former les équipes", "Repérage", "Hors thème"])
      expect(text).toContain(note);
    const zip = await JSZip.loadAsync(docx);
    const media = Object.keys(zip.files).filter((name) => name.startsWith("word/media/"));
    expect(media).toHaveLength(1);
    expect((await zip.file(media[0]!)!.async("nodebuffer")).equals(png)).toBe(true);
    const status = coordinator.locator("#status");
    await coordinator.waitForFunction(() =>
      /téléchargé \(\d+\sko\)/.test(document.getElementById("status")!.textContent!),
    );
    const reported = await status.textContent();
    expect(reported).toMatch(/^Bilan modifiable \(\.docx\) téléchargé/);
    console.log(`debrief.docx downloaded from the archive: ${docx.length} bytes; the page said: ${reported}`);

    // The printable debrief, printed to PDF by Chromium, holds the board image and the tally.
    const debrief = await e2e.browser.newPage({ locale: "fr-FR" });
    const snapshotId = new URL(
      (await coordinator.getByRole("link", { name: "Bilan imprimable" }).getAttribute("href"))!,
      e2e.relay.localUrl,
    ).hash;
    await debrief.goto(`${e2e.relay.localUrl}/debrief/${board.boardId}${snapshotId}`);
    await debrief.locator("img.board-image").waitFor();
    await debrief.waitForFunction(() => (document.querySelector("img.board-image") as HTMLImageElement).complete);
    await debrief.emulateMedia({ media: "print" });
    expect(await debrief.getByTestId("tally").isVisible()).toBe(true);
    expect(await debrief.getByTestId("tally").textContent()).toContain("Hors thème");
    expect(await debrief.getByRole("button", { name: "Imprimer / PDF" }).isVisible()).toBe(false);
    const pdf = await debrief.pdf({ format: "A4" });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pdf.includes(Buffer.from("/Subtype /Image"))).toBe(true);
    phone.close();
  });

  it("answers a deleted board's links with a clear message", async () => {
    const board = await createTestBoard(e2e.relay.localUrl);
    await fetch(`${e2e.relay.localUrl}/api/boards/${board.boardId}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${board.tokens.coordinator}` },
    });
    const page = await e2e.browser.newPage({ locale: "fr-FR" });
    await page.goto(`${e2e.relay.localUrl}/archive/${board.boardId}#key=${board.tokens.coordinator}`);
    await page.getByRole("alert").filter({ hasText: "Aucun tableau ici" }).waitFor();
    await page.goto(`${e2e.relay.localUrl}/j/${board.joinCode}`);
    await page.getByRole("alert").filter({ hasText: "Aucun atelier ne porte le code" }).waitFor();
  });
});

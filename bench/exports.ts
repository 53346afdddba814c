import { performance } from "node:perf_hooks";
import type { Browser } from "playwright-core";
import { readSettings } from "@atelier/shared/document/docLayout";
import { notesCsv, tallyCsv } from "@atelier/shared/derived/exportCsv";
import { computeTally } from "@atelier/shared/derived/tally";
import { launchChromium, PROJECTOR_VIEWPORT } from "@atelier/tests/support/browser.ts";
import { startE2eRelay } from "@atelier/tests/support/e2eRelay.ts";
import { createTestBoard, removeDir } from "@atelier/tests/support/relay.ts";
import { percentile, type Row } from "./lib.ts";
import { boardFixture } from "./render/fixture.ts";
import { buildClient, fillBoard, measureLoad } from "./render/support.ts";

/**
 * Exports of a 1,000-note board sorted into 20 themes, on a real relay:
 *
 * - Server side, no browser: `computeTally` on the board's `room` document
 *   and the two CSVs from it (median of RUNS, in this process, on the
 *   document as the relay broadcast it), and the live CSVs over HTTP (the
 *   relay loads the committed log, tallies and formats; median of HTTP_RUNS).
 * - Board images in Chromium, through the facilitator page's UI: the
 *   "Prendre un instantané" button renders PNG + SVG with tldraw
 *   (renderImages.ts) and uploads them; times from the click to each stage
 *   of the progress text (data-testid="archive-progress"), then the sizes of
 *   the images the relay stored.
 * - The editable debrief (.docx) of that snapshot, written by the relay.
 */

const NOTES = 1_000;
const THEMES = 20;
const RUNS = 9;
const HTTP_RUNS = 5;
const SNAPSHOT_TIMEOUT_MS = 180_000;
const STAGES = [
  ["Rendu de l'image du tableau…", "click → “Rendu de l'image du tableau…” shown"],
  ["Envoi aux archives…", "click → “Envoi aux archives…” shown (PNG + SVG rendered)"],
  ["Instantané enregistré.", "click → “Instantané enregistré.” shown (uploaded, stored)"],
] as const;

function timed(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ms`;
const size = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`;

function pngSize(bytes: Uint8Array): string {
  if (bytes.length < 24) return "?";
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return `${view.getUint32(16)}×${view.getUint32(20)} px`;
}

function svgSize(text: string): string {
  const open = /<svg\b[^>]*>/.exec(text.slice(0, 4096))?.[0] ?? "";
  const attr = (name: string) => /\d+(\.\d+)?/.exec(new RegExp(`\\b${name}="([^"]+)"`).exec(open)?.[1] ?? "")?.[0];
  const viewBox = /viewBox="[-\d.]+\s+[-\d.]+\s+([\d.]+)\s+([\d.]+)"/.exec(open);
  const w = attr("width") ?? viewBox?.[1];
  const h = attr("height") ?? viewBox?.[2];
  return w && h ? `${Math.round(Number(w))}×${Math.round(Number(h))}` : "?";
}

export async function benchExports(): Promise<Row[]> {
  buildClient();
  const relay = await startE2eRelay();
  let browser: Browser | null = null;
  const workload = `${NOTES.toLocaleString("en")} notes in ${THEMES} themes`;
  const rows: Row[] = [];
  const row = (metric: string, value: string) => rows.push({ benchmark: "exports", workload, metric, value });
  try {
    const fixture = boardFixture(NOTES, THEMES);
    const board = await createTestBoard(relay.localUrl, { title: "Bench exports" });
    const screen = await fillBoard(relay, board.boardId, board.tokens.facilitator, fixture);

    // 1. Server side.
    const room = screen.doc;
    const settings = readSettings(room);
    const tally = computeTally(room);
    if (tally.total !== NOTES || tally.outside.count !== 0) {
      throw new Error(`tally: ${tally.total} notes, ${tally.outside.count} outside themes`);
    }
    const times = { tally: [] as number[], tallyCsv: [] as number[], notesCsv: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      times.tally.push(timed(() => computeTally(room)));
      times.tallyCsv.push(timed(() => tallyCsv(tally, settings)));
      times.notesCsv.push(timed(() => notesCsv(tally, settings)));
    }
    screen.destroy();
    row(`computeTally (median of ${RUNS})`, ms(percentile(times.tally, 50)));
    row(`tallyCsv (median of ${RUNS})`, ms(percentile(times.tallyCsv, 50)));
    row(`notesCsv (median of ${RUNS})`, ms(percentile(times.notesCsv, 50)));
    const auth = { Authorization: `Bearer ${board.tokens.coordinator}` };
    const api = `${relay.localUrl}/api/boards/${board.boardId}`;
    for (const format of ["tally.csv", "notes.csv"]) {
      const http: number[] = [];
      let bytes = 0;
      for (let i = 0; i < HTTP_RUNS; i++) {
        const start = performance.now();
        const res = await fetch(`${api}/snapshots/live/${format}`, { headers: auth });
        if (!res.ok) throw new Error(`GET live ${format}: ${res.status}`);
        bytes = (await res.arrayBuffer()).byteLength;
        http.push(performance.now() - start);
      }
      row(`GET live ${format} over HTTP (median of ${HTTP_RUNS})`, `${ms(percentile(http, 50))}, ${size(bytes)}`);
    }

    // 2. Board images, through the facilitator page.
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: PROJECTOR_VIEWPORT, locale: "fr-FR" });
    const page = await context.newPage();
    await measureLoad(page, `${relay.localUrl}/board/${board.boardId}#key=${board.tokens.facilitator}`, NOTES, 60_000);
    await page.waitForTimeout(500);
    // A string, not a function: tsx would wrap inner functions in a helper the page lacks.
    await page.evaluate(`{
      window.__stages = [];
      window.__clickAt = 0;
      const progress = document.querySelector('[data-testid="archive-progress"]');
      new MutationObserver(() => {
        const text = progress.textContent;
        if (text && !window.__stages.some((s) => s[0] === text)) window.__stages.push([text, performance.now()]);
      }).observe(progress, { childList: true, characterData: true, subtree: true });
      window.addEventListener("click", () => { if (!window.__clickAt) window.__clickAt = performance.now(); }, true);
      // The longest gap between two frames from the click until the snapshot is stored: the board's responsiveness.
      window.__longestFrame = 0;
      window.__framesDone = false;
      let last = 0;
      const frame = (t) => {
        if (window.__clickAt && last && !window.__framesDone) window.__longestFrame = Math.max(window.__longestFrame, t - last);
        last = t;
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    }`);
    await page.getByRole("button", { name: "Prendre un instantané" }).click();
    await page.waitForFunction(
      (done) =>
        document.querySelector('[data-testid="archive-progress"]')?.textContent === done ||
        !!document.querySelector('.atelier-panel [role="alert"]'),
      STAGES[2][0],
      { timeout: SNAPSHOT_TIMEOUT_MS, polling: 100 },
    );
    const alert = await page
      .locator('.atelier-panel [role="alert"]')
      .textContent({ timeout: 100 })
      .catch(() => null);
    if (alert) throw new Error(`snapshot failed on the page: ${alert}`);
    const { clickAt, stages, longestFrame } = (await page.evaluate(
      `(window.__framesDone = true, { clickAt: window.__clickAt, stages: window.__stages, longestFrame: window.__longestFrame })`,
    )) as { clickAt: number; stages: [string, number][]; longestFrame: number };
    await context.close();
    for (const [text, metric] of STAGES) {
      const at = stages.find(([t]) => t === text)?.[1];
      const elapsed = at === undefined ? undefined : at - clickAt;
      const last = text === STAGES[2][0];
      rows.push({
        benchmark: "exports",
        workload,
        metric: `snapshot: ${metric}`,
        value: elapsed === undefined ? "not seen" : ms(elapsed),
        ...(last ? { goal: "≤ 3 s", met: elapsed !== undefined && elapsed <= 3_000 } : {}),
      });
    }
    rows.push({
      benchmark: "exports",
      workload,
      metric: "snapshot: longest frame on the board while it renders",
      value: ms(longestFrame),
      goal: "≤ 100 ms",
      met: longestFrame <= 100,
    });

    const listed = (await (await fetch(`${api}/snapshots`, { headers: auth })).json()) as {
      snapshots: { id: string; kind: string; createdAt: number }[];
    };
    const snapshot = listed.snapshots.filter((s) => s.kind === "named").at(-1);
    if (!snapshot) throw new Error("no snapshot listed");
    for (const format of ["png", "svg"] as const) {
      const res = await fetch(`${api}/snapshots/${snapshot.id}/board.${format}`, { headers: auth });
      if (!res.ok) {
        row(`stored board.${format}`, `missing (${res.status})`);
        continue;
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      const dims = format === "png" ? pngSize(bytes) : svgSize(new TextDecoder().decode(bytes));
      row(`stored board.${format}`, `${size(bytes.length)}, ${dims}`);
    }

    // 3. The editable debrief of that snapshot: its stored PNG, the tally, the chart and every note.
    const docx: number[] = [];
    let docxBytes = 0;
    for (let i = 0; i < HTTP_RUNS; i++) {
      const start = performance.now();
      const res = await fetch(`${api}/snapshots/${snapshot.id}/debrief.docx`, { headers: auth });
      if (!res.ok) throw new Error(`GET debrief.docx: ${res.status}`);
      docxBytes = (await res.arrayBuffer()).byteLength;
      docx.push(performance.now() - start);
    }
    row(
      `GET snapshot debrief.docx over HTTP (median of ${HTTP_RUNS})`,
      `${ms(percentile(docx, 50))}, ${size(docxBytes)}`,
    );
    return rows;
  } finally {
    await browser?.close();
    await relay.close();
    removeDir(relay.dataDir);
  }
}

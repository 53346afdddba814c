import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { readSettings } from "@atelier/shared/document/docLayout";
import { launchChromium, PROJECTOR_VIEWPORT } from "@atelier/tests/support/browser.ts";
import { startE2eRelay } from "@atelier/tests/support/e2eRelay.ts";
import { createTestBoard, removeDir } from "@atelier/tests/support/relay.ts";
import { percentile, type Row } from "./lib.ts";
import { boardFixture, type PlainBoardData } from "./render/fixture.ts";
import { buildClient, buildPlainPage, fillBoard, measureLoad, measurePan, serveStatic } from "./render/support.ts";

/**
 * Board rendering in Chromium (1920×1080, headless, software rendering),
 * side by side in the same run: Atelier's facilitator page served by a real
 * relay (the production build), against plain tldraw holding the same
 * records with no sync (bench/render/, the same post-it shape util and page
 * layout). Boards of 100, 1,000 and 3,000 notes sorted into 20 themes.
 *
 * - Load: navigation start → first frame with every post-it and its text in
 *   the DOM (see measureLoad); median of LOADS cold loads (fresh context),
 *   the two sides alternating (fewer past REPEAT_BUDGET_MS, to stay bounded
 *   on a busy machine; the metric says how many). One load here moves by
 *   ±15 % from the next: two a side gave ratios 0.1 apart from run to run.
 * - Pan: ~3 s of wheel events over the canvas at the opening camera (the
 *   whole board in view, as the facilitator's page opens) after each load;
 *   frame intervals from requestAnimationFrame, pooled; median and p90 (and
 *   the mean, as the median of 60 Hz frames moves in steps of 16.7 ms).
 */

const SIZES = [100, 1_000, 3_000];
const THEMES = 20;
const LOADS = 5;
const PAN_MS = 3_000;
const LOAD_TIMEOUT_MS = 60_000;
/** Past this time since the start, each remaining size gets one load and pan per side. */
const REPEAT_BUDGET_MS = 300_000;

type Side = "atelier" | "plain";
const LABEL: Record<Side, string> = { atelier: "Atelier", plain: "plain tldraw" };

interface SideResult {
  loads: number[];
  frames: number[];
  error?: string;
}

async function measureSide(browser: Browser, url: string, count: number, result: SideResult) {
  const context = await browser.newContext({ viewport: PROJECTOR_VIEWPORT, locale: "fr-FR" });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    try {
      result.loads.push(await measureLoad(page, url, count, LOAD_TIMEOUT_MS));
    } catch (e) {
      throw new Error(`${(e as Error).message.split("\n")[0]}${errors.length ? ` (page: ${errors[0]})` : ""}`, {
        cause: e,
      });
    }
    result.frames.push(...(await measurePan(page, PAN_MS)));
  } finally {
    await context.close();
  }
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(v < 100 ? 1 : 0)} ms` : "n/a");
const mean = (v: number[]) => v.reduce((sum, x) => sum + x, 0) / v.length;
/** The middle value, or the mean of the two middle ones. */
const median = (v: number[]) => {
  const sorted = [...v].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : "n/a");

export async function benchRender(sizes: number[] = SIZES): Promise<Row[]> {
  const started = Date.now();
  buildClient();
  const plainDir = await buildPlainPage();
  const relay = await startE2eRelay();
  const plain = await serveStatic(plainDir);
  let browser: Browser | null = null;
  const rows: Row[] = [];
  try {
    browser = await launchChromium();
    for (const count of sizes) {
      console.error(`render: ${count} notes…`);
      const fixture = boardFixture(count, THEMES);
      const board = await createTestBoard(relay.localUrl, { title: `Bench ${count}` });
      const screen = await fillBoard(relay, board.boardId, board.tokens.facilitator, fixture);
      const { prompts, categories } = readSettings(screen.doc);
      screen.destroy();
      const data: PlainBoardData = { ...fixture, choices: { prompts, categories } };
      writeFileSync(join(plainDir, `board-${count}.json`), JSON.stringify(data));
      const urls: Record<Side, string> = {
        atelier: `${relay.localUrl}/board/${board.boardId}#key=${board.tokens.facilitator}`,
        plain: `${plain.url}/index.html?board=${count}`,
      };
      const results: Record<Side, SideResult> = {
        atelier: { loads: [], frames: [] },
        plain: { loads: [], frames: [] },
      };
      for (let i = 0; i < LOADS && (i === 0 || Date.now() - started < REPEAT_BUDGET_MS); i++) {
        for (const side of ["atelier", "plain"] as const) {
          if (results[side].error) continue;
          try {
            await measureSide(browser, urls[side], count, results[side]);
          } catch (e) {
            results[side].error = (e as Error).message.slice(0, 120);
          }
        }
      }
      const workload = `${count.toLocaleString("en")} notes in ${THEMES} themes`;
      const load = (s: Side) => median(results[s].loads);
      const frame = (s: Side, p: number) => percentile(results[s].frames, p);
      for (const side of ["atelier", "plain"] as const) {
        const r = results[side];
        rows.push({
          benchmark: "board render",
          workload,
          metric: `load, ${LABEL[side]} (median of ${r.loads.length})`,
          value: r.error && r.loads.length === 0 ? `failed: ${r.error}` : ms(load(side)),
        });
        rows.push({
          benchmark: "board render",
          workload,
          metric: `pan frame time p50 / p90, ${LABEL[side]}`,
          value:
            r.frames.length === 0
              ? `failed: ${r.error ?? "no frames"}`
              : `${ms(frame(side, 50))} / ${ms(frame(side, 90))} (${r.frames.length} frames, mean ${ms(mean(r.frames))})`,
        });
      }
      const loadRatio = load("atelier") / load("plain");
      rows.push({
        benchmark: "board render",
        workload,
        metric: "load ratio Atelier / plain",
        value: ratio(load("atelier"), load("plain")),
        ...(count === 1000 ? { goal: "≤ 1.10×", met: Number.isFinite(loadRatio) && loadRatio <= 1.1 } : {}),
      });
      const frameRatio = frame("atelier", 50) / frame("plain", 50);
      rows.push({
        benchmark: "board render",
        workload,
        metric: "pan frame time ratio Atelier / plain (p50)",
        value: ratio(frame("atelier", 50), frame("plain", 50)),
        goal: "≤ 1.3×",
        met: Number.isFinite(frameRatio) ? frameRatio <= 1.3 : false,
      });
    }
    return rows;
  } finally {
    await browser?.close();
    await plain.close();
    await relay.close();
    removeDir(relay.dataDir);
    rmSync(plainDir, { recursive: true, force: true });
  }
}

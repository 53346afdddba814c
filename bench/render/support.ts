import { execSync } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import type { Page } from "playwright-core";
import { canvasStore } from "@atelier/shared/document/canvas";
import { notesMap } from "@atelier/shared/document/docLayout";
import { Origin } from "@atelier/shared/document/origins";
import type { Relay } from "@atelier/server/relay";
import { connectScreen, waitFor } from "@atelier/tests/support/screens.ts";
import type { BoardFixture } from "./fixture.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const PLAIN_CONFIG = new URL("./vite.config.ts", import.meta.url).pathname;

let clientBuilt = false;
/** The production client, as the e2e tests build it (once per process). */
export function buildClient(): void {
  if (clientBuilt) return;
  execSync("pnpm --filter @atelier/client build", { cwd: ROOT, stdio: "ignore", timeout: 180_000 });
  clientBuilt = true;
}

/** Builds the bench-only plain tldraw page into a fresh temp dir; returns the dir. */
export async function buildPlainPage(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), "atelier-bench-plain-"));
  const { build } = await import("vite");
  await build({ configFile: PLAIN_CONFIG, logLevel: "warn", build: { outDir, emptyOutDir: true } });
  return outDir;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
};

/** A tiny static file server on 127.0.0.1 (no caching headers: every load is cold). */
export async function serveStatic(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(
      /^(\.\.[/\\])+/,
      "",
    );
    let file = join(dir, path);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
      "Cache-Control": "no-store",
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Fills a board of an in-process relay as a day does: the notes written by
 * the relay itself, as phones' notes are (screens may not write `notes`,
 * rule R7), and the canvas records through a facilitator y-websocket client
 * (what a facilitator screen does), in transactions small enough for the
 * relay's frame limit. Waits until a second facilitator screen has received
 * all of it (the relay broadcasts only committed changes, rule D1) and
 * returns that second screen's document.
 */
export async function fillBoard(relay: Relay, boardId: string, token: string, fixture: BoardFixture) {
  const baseUrl = relay.localUrl;
  const room = await relay.rooms.open(boardId);
  const BATCH = 200;
  for (let i = 0; i < fixture.notes.length; i += BATCH) {
    const committed = await room.commit({
      edit: (docs) =>
        docs.room.transact(() => {
          for (const note of fixture.notes.slice(i, i + BATCH)) notesMap(docs.room).set(note.id, note);
        }, Origin.phone),
    });
    if (!committed.ok) throw new Error(`notes not stored: ${committed.reason}`);
  }
  const writer = connectScreen(baseUrl, boardId, token);
  const reader = connectScreen(baseUrl, boardId, token);
  await Promise.all([writer.synced(), reader.synced()]);
  const kv = canvasStore(writer.doc);
  const [page, ...shapes] = fixture.records;
  writer.doc.transact(() => {
    kv.set(page!.id, page!);
    for (const r of shapes) if (r.type === "frame") kv.set(r.id, r);
  });
  const postIts = shapes.filter((r) => r.type !== "frame");
  for (let i = 0; i < postIts.length; i += BATCH) {
    writer.doc.transact(() => {
      for (const record of postIts.slice(i, i + BATCH)) kv.set(record.id, record);
    });
    // Stay well inside the screens' message rate.
    await new Promise((r) => setTimeout(r, 20));
  }
  const readerKv = canvasStore(reader.doc);
  await waitFor(
    () => notesMap(reader.doc).size === fixture.notes.length && readerKv.map.size >= fixture.records.length,
    120_000,
    "the relay to broadcast the board",
  );
  writer.destroy();
  return reader;
}

/**
 * Load time: from navigation start (the page's time origin) to the first
 * animation frame in which every post-it of the board is in the DOM with its
 * text (`.atelier-note .atelier-note-text`, one per note; tldraw keeps culled
 * shapes in the DOM, hidden, so the count does not depend on the camera).
 * That frame is then painted; the time is read in the page.
 */
export async function measureLoad(page: Page, url: string, count: number, timeoutMs: number): Promise<number> {
  await page.goto(url, { waitUntil: "commit", timeout: timeoutMs });
  const handle = await page.waitForFunction(
    (n) => {
      const texts = document.querySelectorAll(".atelier-note .atelier-note-text");
      return texts.length >= n && document.querySelector(".tl-canvas") ? performance.now() : false;
    },
    count,
    { polling: "raf", timeout: timeoutMs },
  );
  return (await handle.jsonValue()) as number;
}

const STEP_PX = 40;
const PER_TURN = 60;

/**
 * Frame times while panning: real wheel events (Chromium's input pipeline)
 * over the canvas, at most one every 16 ms, their deltas (40 px) turning
 * a full circle every 60 events, so the view sweeps a circle about 760 px
 * across and comes back; tldraw pans on wheel. Frame intervals are recorded
 * with requestAnimationFrame in the page; after the recording the turn is
 * completed, so the camera ends where it started.
 */
export async function measurePan(page: Page, durationMs: number): Promise<number[]> {
  const canvas = await page.locator(".tl-canvas").boundingBox();
  if (!canvas) throw new Error("no canvas");
  await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
  await page.waitForTimeout(500); // let the page settle after load
  // A string, not a function: tsx would wrap inner functions in a helper the page lacks.
  await page.evaluate(`{
    window.__frames = [];
    window.__stop = false;
    let last = 0;
    requestAnimationFrame(function loop(t) {
      if (last) window.__frames.push(t - last);
      last = t;
      if (!window.__stop) requestAnimationFrame(loop);
    });
  }`);
  const start = Date.now();
  const wheel = (i: number) => {
    const angle = (2 * Math.PI * i) / PER_TURN;
    return page.mouse.wheel(Math.round(STEP_PX * Math.cos(angle)), Math.round(STEP_PX * Math.sin(angle)));
  };
  let i = 0;
  for (; Date.now() - start < durationMs; i++) {
    await wheel(i);
    const wait = start + (i + 1) * 16 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__stop = true;
    return w.__frames;
  });
  // Finish the turn, unrecorded: the camera is back where it started.
  for (; i % PER_TURN !== 0; i++) await wheel(i);
  return frames;
}

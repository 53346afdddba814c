/**
 * The state the three endpoint drivers share during a run: the boards and
 * links they may use, what they learnt from the relay's answers (state
 * vectors, acknowledged notes, rotated links), the frame budget, and the
 * join-code guessing allowance that keeps 127.0.0.1 from being blocked.
 * Drivers read and write only this, never each other.
 */
import * as Y from "yjs";
import { LIMITS } from "@atelier/shared/wire/limits";
import type { Rand } from "./rand.ts";
import { sleep } from "./rand.ts";
import { weirdString } from "./strings.ts";
import type { KnownCrashers } from "./crashers.ts";
import type { YCorpus } from "./yjsEdits.ts";
import { ENDPOINTS, type Endpoint, type FuzzReport } from "./report.ts";

export interface FuzzBoard {
  boardId: string;
  joinCode: string;
  tokens: { facilitator: string; projector: string; coordinator: string };
}

export interface FuzzOptions {
  seed: number;
  /** Stop after this many frames (WebSocket messages and HTTP requests together). */
  frames: number;
  /** …or after this long, whichever comes first. */
  maxDurationMs: number;
  /** Concurrent sessions. */
  workers?: number;
  crashers?: KnownCrashers;
  /** Share of sessions per endpoint. */
  mix?: Partial<Record<Endpoint, number>>;
  /** Called every 200 ms during the run (e.g. to look at the relay's memory); a string is an anomaly. */
  probe?: () => string | null;
  log?: (line: string) => void;
}

export interface Ctx {
  baseUrl: string;
  wsBase: string;
  target: FuzzBoard;
  victim: FuzzBoard;
  /** Boards the run created through the API, free to delete. */
  scratch: FuzzBoard[];
  revoked: string[];
  corpus: YCorpus;
  /** What we learnt of each document's state vector, from the relay's sync messages. */
  known: Map<string, Map<number, number>>;
  /** Participants, and the note ids the relay acknowledged to each. */
  participants: string[];
  notesOf: Map<string, string[]>;
  allNotes: string[];
  crashers: KnownCrashers;
  report: FuzzReport;
  frameBudget: number;
  deadline: number;
  /**
   * The relay blocks an address after 20 unknown join codes, then allows one every 6 s
   * (LIMITS.joinFailureBurst): spend at most half the burst, at a slower pace.
   */
  guesses: { tokens: number; last: number };
  stopped: boolean;
  log: (line: string) => void;
}

/** May we try an unknown join code now without getting 127.0.0.1 blocked? */
export function mayGuess(ctx: Ctx): boolean {
  const now = Date.now();
  const refillMs = LIMITS.joinFailureRefillMs + 1_000;
  ctx.guesses.tokens = Math.min(LIMITS.joinFailureBurst / 2, ctx.guesses.tokens + (now - ctx.guesses.last) / refillMs);
  ctx.guesses.last = now;
  if (ctx.guesses.tokens < 1) return false;
  ctx.guesses.tokens -= 1;
  return true;
}

export function bump(map: Record<string, number>, key: string, n = 1): void {
  map[key] = (map[key] ?? 0) + n;
}

export function budgetLeft(ctx: Ctx): boolean {
  if (ctx.stopped) return false;
  const total = ENDPOINTS.reduce((s, e) => s + ctx.report.frames[e], 0);
  if (total >= ctx.frameBudget || Date.now() >= ctx.deadline || ctx.report.relayDown) ctx.stopped = true;
  return !ctx.stopped;
}

export function learnState(ctx: Ctx, key: string, update: Uint8Array): void {
  let meta: ReturnType<typeof Y.parseUpdateMeta>;
  try {
    meta = Y.parseUpdateMeta(update);
  } catch {
    ctx.report.anomalies.push(
      `${key}: the relay sent an update Yjs cannot parse (${Buffer.from(update).toString("hex").slice(0, 200)})`,
    );
    return;
  }
  let known = ctx.known.get(key);
  if (!known) ctx.known.set(key, (known = new Map()));
  for (const [client, clock] of meta.to) if (clock > (known.get(client) ?? 0)) known.set(client, clock);
}

export function wrongToken(ctx: Ctx, r: Rand): string {
  return r.weighted<() => string>([
    [3, () => r.uint32().toString(36).repeat(3)],
    [1, () => ""],
    [1, () => "x".repeat(r.pick([9, 10, 100, 101, 5000]))],
    [1, () => (ctx.revoked.length > 0 ? r.pick(ctx.revoked) : "revoked-none-yet")],
    [1, () => weirdString(r, 30)],
    [1, () => ctx.target.tokens.facilitator.slice(0, -1) + "A"],
  ])();
}

/** A refused connection or a timeout: is the relay still there? */
export async function relayMaybeDown(ctx: Ctx): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await healthMs(ctx.baseUrl, 5_000)) !== null) return;
    await sleep(300);
  }
  if (!ctx.report.relayDown) ctx.log("the relay does not answer /api/health any more: stopping");
  ctx.report.relayDown = true;
}

export async function healthMs(baseUrl: string, timeoutMs: number): Promise<number | null> {
  const start = Date.now();
  try {
    const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json()) as { ok?: boolean };
    return res.status === 200 && body.ok === true ? Date.now() - start : null;
  } catch {
    return null;
  }
}

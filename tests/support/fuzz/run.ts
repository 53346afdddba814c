/**
 * One fuzz run: workers that each draw sessions from their own fork of the
 * seed, a budget of frames or time, and a probe that keeps asking the relay
 * for its health. Everything endpoint-specific lives in the drivers; this
 * file only decides how many sessions, of which endpoint, and when to stop.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { LIMITS } from "@atelier/shared/wire/limits";
import { Rand, sleep } from "./rand.ts";
import { buildCorpus } from "./yjsEdits.ts";
import { budgetLeft, healthMs, relayMaybeDown, type Ctx, type FuzzBoard, type FuzzOptions } from "./context.ts";
import { ENDPOINTS, emptyReport, type FuzzReport } from "./report.ts";
import { screenSession } from "./boardDriver.ts";
import { phoneSession } from "./phoneDriver.ts";
import { httpSession } from "./httpDriver.ts";
import { invalidUpgrade } from "./rawHttp.ts";

export async function fuzzRelay(
  baseUrl: string,
  boards: { target: FuzzBoard; victim: FuzzBoard },
  options: FuzzOptions,
): Promise<FuzzReport> {
  const master = Rand.seeded(options.seed);
  const log = options.log ?? (() => undefined);
  const report = emptyReport(options.seed, structuredClone(boards.target));
  const participants = Array.from({ length: 24 }, (_, i) => `fuzz-participant-${options.seed}-${i}`);
  const ctx: Ctx = {
    baseUrl,
    wsBase: baseUrl.replace(/^http/, "ws"),
    target: report.target,
    // The fuzzer never holds the victim's facilitator token.
    victim: { ...boards.victim, tokens: { ...boards.victim.tokens, facilitator: "withheld-victim-facilitator" } },
    scratch: [],
    revoked: [],
    corpus: buildCorpus(master.fork()),
    known: new Map(),
    participants,
    notesOf: new Map(),
    allNotes: [],
    crashers: options.crashers ?? {},
    report,
    frameBudget: options.frames,
    deadline: Date.now() + options.maxDurationMs,
    guesses: { tokens: LIMITS.joinFailureBurst / 2, last: Date.now() },
    stopped: false,
    log,
  };
  const mix = { screen: 0.55, phone: 0.3, http: 0.15, ...options.mix };
  const start = Date.now();

  const lag = monitorEventLoopDelay({ resolution: 20 });
  lag.enable();
  let probing = true;
  const monitor = (async () => {
    while (probing) {
      const ms = await healthMs(baseUrl, 5_000);
      if (ms === null) {
        if (!report.relayDown) await relayMaybeDown(ctx);
      } else report.maxHealthMs = Math.max(report.maxHealthMs, ms);
      const found = options.probe?.();
      if (found && !report.anomalies.includes(found)) report.anomalies.push(found);
      await sleep(200);
    }
  })();

  let lastLog = Date.now();
  const workers = Array.from({ length: options.workers ?? 8 }, async () => {
    const worker = master.fork();
    while (budgetLeft(ctx)) {
      // Each session draws from its own generator: how long the previous one lasted changes nothing.
      const r = worker.fork();
      const endpoint = r.weighted([
        [mix.screen, "screen"],
        [mix.phone, "phone"],
        [mix.http, "http"],
      ] as const);
      try {
        if (endpoint === "screen") await screenSession(ctx, r);
        else if (endpoint === "phone") await phoneSession(ctx, r);
        else if (ctx.crashers.invalidRequestTargets && r.chance(0.1)) await invalidUpgrade(ctx, r);
        else await httpSession(ctx, r);
      } catch (error) {
        report.fuzzerErrors.push(`${endpoint}: ${String(error).slice(0, 200)}`);
      }
      if (Date.now() - lastLog > 5_000) {
        lastLog = Date.now();
        const total = ENDPOINTS.reduce((s, e) => s + report.frames[e], 0);
        log(`fuzz seed ${options.seed}: ${total} frames in ${((Date.now() - start) / 1000).toFixed(0)} s`);
      }
    }
  });
  await Promise.all(workers);
  probing = false;
  await monitor;
  report.durationMs = Date.now() - start;
  lag.disable();
  report.fuzzerLagMs = Math.round(lag.max / 1e6);
  return report;
}

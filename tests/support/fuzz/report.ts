/**
 * What a run counted and found, and its Markdown summary. The report is the
 * fuzzer's whole output: the test asserts on it, the long run prints it, so
 * its fields are documented here rather than where they are incremented.
 */
import type { FuzzBoard } from "./context.ts";

export type Endpoint = "screen" | "phone" | "http";
export const ENDPOINTS: Endpoint[] = ["screen", "phone", "http"];

export interface FuzzReport {
  seed: number;
  durationMs: number;
  frames: Record<Endpoint, number>;
  sessions: Record<Endpoint, number>;
  /** Closes the relay initiated, by endpoint and code ("4400", "1009"…). */
  closes: Record<Endpoint, Record<string, number>>;
  /** Upgrades refused with an HTTP status, by status. */
  upgradeRefusals: Record<string, number>;
  httpStatuses: Record<string, number>;
  phoneReplies: Record<string, number>;
  /** Frames of a known bug's family not sent, by family (see `KnownCrashers`). */
  heldBack: Record<string, number>;
  /** Client-side errors: timeouts, resets, refused connections. */
  errors: Record<string, number>;
  /** What the relay should not do (5xx, serving what Yjs cannot load…), with detail to look into. */
  anomalies: string[];
  /** Exceptions in the fuzzer itself. */
  fuzzerErrors: string[];
  /** Phone acknowledgements received for the victim board: must stay 0. */
  victimAcks: number;
  /** The relay stopped answering during the run. */
  relayDown: boolean;
  /** Longest answer of the `/api/health` probe during the run. */
  maxHealthMs: number;
  /** Longest stall of the fuzzer's own event loop (it delays the probe too when the relay runs in-process). */
  fuzzerLagMs: number;
  /** The target's links at the end (the run may rotate them). */
  target: FuzzBoard;
}

/** A report with nothing counted yet. */
export function emptyReport(seed: number, target: FuzzBoard): FuzzReport {
  return {
    seed,
    durationMs: 0,
    frames: { screen: 0, phone: 0, http: 0 },
    sessions: { screen: 0, phone: 0, http: 0 },
    closes: { screen: {}, phone: {}, http: {} },
    upgradeRefusals: {},
    httpStatuses: {},
    phoneReplies: {},
    heldBack: {},
    errors: {},
    anomalies: [],
    fuzzerErrors: [],
    victimAcks: 0,
    relayDown: false,
    maxHealthMs: 0,
    fuzzerLagMs: 0,
    target,
  };
}

const fmt = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ") || "none";

/** A small table of the run, in Markdown. */
export function formatReport(report: FuzzReport): string {
  const total = ENDPOINTS.reduce((s, e) => s + report.frames[e], 0);
  const seconds = report.durationMs / 1000;
  const rows = [
    "| endpoint | frames | sessions | closes by the relay (code: count) |",
    "|---|---|---|---|",
    ...ENDPOINTS.map((e) => `| ${e} | ${report.frames[e]} | ${report.sessions[e]} | ${fmt(report.closes[e])} |`),
    `| total | ${total} | ${ENDPOINTS.reduce((s, e) => s + report.sessions[e], 0)} | ${(total / Math.max(seconds, 0.001)).toFixed(0)} frames/s over ${seconds.toFixed(1)} s |`,
  ];
  return [
    `fuzz seed ${report.seed} (replay: FUZZ_SEED=${report.seed} or --seed ${report.seed})`,
    ...rows,
    `upgrades refused: ${fmt(report.upgradeRefusals)}`,
    `HTTP statuses: ${fmt(report.httpStatuses)}`,
    `phone replies: ${fmt(report.phoneReplies)}`,
    `client-side errors: ${fmt(report.errors)}`,
    `frames of known bugs held back: ${fmt(report.heldBack)}`,
    `slowest /api/health during the run: ${report.maxHealthMs} ms (fuzzer's own longest stall ${report.fuzzerLagMs} ms); relay down: ${report.relayDown}; victim acks: ${report.victimAcks}`,
    `anomalies: ${report.anomalies.length === 0 ? "none" : "\n  - " + report.anomalies.slice(0, 20).join("\n  - ")}`,
    `fuzzer errors: ${report.fuzzerErrors.length === 0 ? "none" : "\n  - " + report.fuzzerErrors.slice(0, 20).join("\n  - ")}`,
  ].join("\n");
}

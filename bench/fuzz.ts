/**
 * The long fuzz run: `npx tsx bench/fuzz.ts [--frames N] [--seed S]`.
 *
 * Runs the relay as its own process (as `pnpm start` does, with a small
 * COMPACT_AFTER and IDLE_UNLOAD_MS so compaction and reloads happen all the
 * time), fuzzes its board sockets, phone socket and HTTP API from
 * tests/support/fuzz/ until N frames are sent or --max-seconds pass, then
 * checks that the relay is up and working, that the victim board is
 * byte-identical on disk, and that no stored document holds pending structs.
 * Prints a summary table; exits with 1 if a check failed. Loopback only.
 *
 * Other flags: --workers W (concurrent sessions, default 16),
 * --hold-back a,b (leave out the inputs of these once-crashing families: invalidRequestTargets,
 * bigIntInSettings, zeroLengthStructs, protoKeys, receiverErrorsOnRefusedSockets,
 * malformedCanvasRecords, pendingBehindException; all are sent by default, the bugs are fixed).
 */
import { parseArgs } from "node:util";
import { removeDir, spawnRelay, tempDataDir } from "@atelier/tests/support/relay.ts";
import { boardDigest, boardRows, describeRowChanges } from "@atelier/tests/support/db.ts";
import {
  checkRelayWorks,
  countStored,
  formatReport,
  fuzzRelay,
  openDb,
  prepareBoards,
  storedDocProblems,
  waitUntilSettled,
} from "@atelier/tests/support/fuzz/index.ts";

const { values } = parseArgs({
  options: {
    frames: { type: "string", default: "100000" },
    seed: { type: "string" },
    "max-seconds": { type: "string", default: "900" },
    workers: { type: "string", default: "16" },
    "hold-back": { type: "string", default: "" },
    keep: { type: "boolean", default: false },
  },
});
const frames = Number(values.frames);
const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 1_000_000_000;
const maxSeconds = Number(values["max-seconds"]);
if (!Number.isFinite(frames) || !Number.isInteger(seed) || !Number.isFinite(maxSeconds)) {
  console.error("usage: npx tsx bench/fuzz.ts [--frames N] [--seed S] [--max-seconds T] [--workers W]");
  process.exit(2);
}
console.log(`fuzz seed ${seed}: up to ${frames} frames or ${maxSeconds} s (replay with --seed ${seed})`);

const dataDir = tempDataDir();
const relay = await spawnRelay(dataDir, { COMPACT_AFTER: "50", IDLE_UNLOAD_MS: "1000", AUTO_SNAPSHOT_MS: "5000" });
let exited: string | null = null;
relay.process.once("exit", (code, signal) => (exited = `exit code ${code}, signal ${signal}`));
let stderrTail = "";
const apiErrors = new Map<string, number>();
relay.process.stderr!.on("data", (d: Buffer) => {
  stderrTail = (stderrTail + d.toString()).slice(-4000);
  for (const line of d.toString().split("\n")) {
    if (line.startsWith("api error")) apiErrors.set(line.slice(0, 200), (apiErrors.get(line.slice(0, 200)) ?? 0) + 1);
  }
});
const relayLog = new Map<string, number>();
relay.process.stdout!.on("data", (d: Buffer) => {
  for (const line of d.toString().split("\n")) {
    // Count the relay's log lines by kind (board ids and details removed).
    const kind = line
      .replace(/[a-z0-9]{10,32}/g, "…")
      .replace(/\(.*\)$/, "")
      .trim();
    if (kind) relayLog.set(kind, (relayLog.get(kind) ?? 0) + 1);
  }
});

const db = openDb(dataDir);
let failed = false;
try {
  const boards = await prepareBoards(relay.url);
  await waitUntilSettled(db, boards.victim.boardId);
  const before = boardDigest(db, boards.victim.boardId);
  const rowsBefore = boardRows(db, boards.victim.boardId);

  const report = await fuzzRelay(relay.url, boards, {
    seed,
    frames,
    maxDurationMs: maxSeconds * 1000,
    workers: Number(values.workers),
    crashers: Object.fromEntries(
      [
        "invalidRequestTargets",
        "bigIntInSettings",
        "zeroLengthStructs",
        "protoKeys",
        "receiverErrorsOnRefusedSockets",
        "malformedCanvasRecords",
        "pendingBehindException",
      ].map((name) => [name, !values["hold-back"].split(",").includes(name)]),
    ),
    log: (line) => console.error(line),
  });
  console.log(formatReport(report));

  const after = exited ? null : await checkRelayWorks(relay.url, report.target);
  // Let the idle unload (IDLE_UNLOAD_MS above) compact the target: stored state to check too.
  if (!exited) await new Promise((resolve) => setTimeout(resolve, 2_000));
  const victimAfter = boardDigest(db, boards.victim.boardId);
  const problems = storedDocProblems(db);
  const stored = countStored(db);
  const total = report.frames.screen + report.frames.phone + report.frames.http;
  const checks: [string, boolean, string][] = [
    ["relay process still running", !exited, exited ? `${exited}\n${stderrTail}` : ""],
    ["GET /api/health answers", !!after?.health, after?.detail.join("; ") ?? ""],
    ["the live exports answer 200", !!after?.exports, after?.detail.join("; ") ?? ""],
    ["a facilitator syncs and writes", !!after?.facilitatorSync, after?.detail.join("; ") ?? ""],
    ["a phone posts a note", !!after?.phoneSubmit, after?.detail.join("; ") ?? ""],
    ["victim board byte-identical", victimAfter === before, `${before.slice(0, 12)} → ${victimAfter.slice(0, 12)}`],
    [
      "no stored pending structs",
      !problems.some((p) => p.kind === "pending"),
      JSON.stringify(problems.filter((p) => p.kind === "pending").slice(0, 3)),
    ],
    [
      "every stored update and snapshot loads",
      !problems.some((p) => p.kind === "unloadable"),
      JSON.stringify(problems.filter((p) => p.kind === "unloadable").slice(0, 3)),
    ],
    ["no phone ack on the victim", report.victimAcks === 0, String(report.victimAcks)],
    ["no anomaly (5xx, unloadable sync…)", report.anomalies.length === 0, `${report.anomalies.length}`],
    ["no fuzzer error", report.fuzzerErrors.length === 0, `${report.fuzzerErrors.length}`],
    [`at least ${frames} frames`, total >= frames, String(total)],
  ];
  console.log("\n| check | ok | detail |\n|---|---|---|");
  for (const [name, ok, detail] of checks) {
    console.log(`| ${name} | ${ok ? "yes" : "NO"} | ${ok ? "" : detail.replace(/\n/g, " ").slice(0, 600)} |`);
    if (!ok) failed = true;
  }
  console.log(
    `\nstored: ${stored.boards} boards, ${stored.updates} update rows, ${stored.snapshots} snapshots; ` +
      `relay log lines: ${[...relayLog.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 16)
        .map(([k, n]) => `${n}× "${k}"`)
        .join(", ")}`,
  );
  if (apiErrors.size > 0) console.log(`\nrelay's "api error" lines (500s): ${JSON.stringify([...apiErrors])}`);
  if (exited) console.log(`\nrelay stderr:\n${stderrTail}`);
  if (victimAfter !== before) {
    console.log(`\nvictim rows changed:\n${describeRowChanges(rowsBefore, boardRows(db, boards.victim.boardId))}`);
  }
} finally {
  db.close();
  if (!exited) await relay.stop();
  if (!values.keep) removeDir(dataDir);
  else console.log(`data kept in ${dataDir}`);
}
process.exit(failed ? 1 : 0);

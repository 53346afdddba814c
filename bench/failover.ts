/**
 * The long failover loop (docs/DEPLOY.md, rule D7): two relays on one
 * PostgreSQL behind a TCP balancer; phones post and two screens watch
 * through it while the board's owner is SIGKILLed at seeded moments and
 * started again, the owner alternating between the two relays.
 *   pnpm exec tsx bench/failover.ts [--kills 20] [--phones 30] [--notes 3] [--seed 1]
 * A short version runs in CI (tests/integration/cluster.test.ts).
 */
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { startCluster } from "@atelier/tests/support/cluster.ts";
import { failoverLoop } from "@atelier/tests/support/failover.ts";
import { percentile } from "./lib.ts";

const { values } = parseArgs({
  options: {
    kills: { type: "string", default: "20" },
    phones: { type: "string", default: "30" },
    notes: { type: "string", default: "3" },
    seed: { type: "string", default: "1" },
  },
});
const cluster = await startCluster();
const start = performance.now();
try {
  const report = await failoverLoop(cluster, {
    kills: Number(values.kills),
    phones: Number(values.phones),
    notesPerRound: Number(values.notes),
    seed: Number(values.seed),
  });
  const alternated = report.killed.every((k, i) => i === 0 || k !== report.killed[i - 1]);
  console.log(
    "| seed | kills | owners killed alternate | acknowledged notes | acknowledged twice | lost | duplicated | resync p50 / max | duration |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  console.log(
    `| ${values.seed} | ${report.kills} | ${alternated ? "yes" : "no"} | ${report.acknowledged} | ${report.ackedTwice} | ${report.lost.length} | ${report.duplicated} | ${percentile(report.resyncMs, 50)} ms / ${Math.max(...report.resyncMs)} ms | ${((performance.now() - start) / 1000).toFixed(0)} s |`,
  );
  const failed =
    !alternated ||
    report.ackedTwice > 0 ||
    report.lost.length > 0 ||
    report.duplicated > 0 ||
    Math.max(...report.resyncMs) > 10_000;
  if (failed) process.exitCode = 1;
} finally {
  await cluster.stop();
}
process.exit();

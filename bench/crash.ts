/**
 * The long crash harness (issue: security and reliability): SIGKILL the relay
 * at seeded random moments while phones post and a facilitator edits.
 *   npx tsx bench/crash.ts [--kills 50] [--phones 100] [--notes 2] [--seed 1]
 */
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { tempDataDir, removeDir } from "@atelier/tests/support/relay.ts";
import { combinedCrashLoop } from "@atelier/tests/support/crashScenarios.ts";

const { values } = parseArgs({
  options: {
    kills: { type: "string", default: "50" },
    phones: { type: "string", default: "100" },
    notes: { type: "string", default: "2" },
    seed: { type: "string", default: "1" },
  },
});
const dir = tempDataDir();
const start = performance.now();
try {
  const report = await combinedCrashLoop(
    dir,
    Number(values.seed),
    Number(values.kills),
    Number(values.phones),
    Number(values.notes),
    (round, acked) => process.stderr.write(`round ${round + 1}: ${acked} notes acknowledged so far\n`),
  );
  console.log(`| seed | kills | acknowledged notes | changes seen by another screen | lost | duplicated | duration |`);
  console.log(`|---|---|---|---|---|---|---|`);
  console.log(
    `| ${values.seed} | ${report.kills} | ${report.acknowledgedNotes} | ${report.confirmedChanges} | ${report.lost.length} | ${report.duplicated.length} | ${((performance.now() - start) / 1000).toFixed(0)} s |`,
  );
  if (report.lost.length > 0 || report.duplicated.length > 0) {
    console.error("LOST:", report.lost.slice(0, 20), "DUPLICATED:", report.duplicated);
    process.exitCode = 1;
  }
} finally {
  removeDir(dir);
}

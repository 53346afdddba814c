import { afterEach, describe, expect, it } from "vitest";
import { tempDataDir, removeDir } from "../support/relay.ts";
import { phoneCrashLoop, screenCrashLoop } from "../support/crashScenarios.ts";

/** The short version; `pnpm crash` (bench/crash.ts) runs the long one. */
describe("crash safety (SIGKILL)", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach(removeDir));

  it("keeps every change another screen had received, over seeded random kills", async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const report = await screenCrashLoop(dir, 1, 4);
    expect(report.confirmedChanges).toBeGreaterThan(4);
    expect(report.lost).toEqual([]);
  });

  it("keeps every acknowledged note of 50 phones killed mid-burst, and stores resent ones once", async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const report = await phoneCrashLoop(dir, 7, 2, 50, 4);
    expect(report.acknowledgedNotes).toBe(200);
    // The kills struck mid-burst: some notes were acknowledged before them, not all.
    expect(report.ackedAtKills.at(-1)).toBeGreaterThan(0);
    expect(report.ackedAtKills.at(-1)).toBeLessThan(200);
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
  });
});

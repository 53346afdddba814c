import { describe, expect, it } from "vitest";
import { StageTimings } from "./stageTimings.ts";

describe("StageTimings", () => {
  it("logs each stage's median and 99th percentile, then starts over; nothing when idle", () => {
    const lines: string[] = [];
    const timings = new StageTimings((m) => lines.push(m), 60_000);
    const realNow = performance.now;
    try {
      // Each record measures now − since: with the clock at 100, since = 100 − d records d.
      performance.now = () => 100;
      for (let d = 1; d <= 100; d++) timings.record("commit", 100 - d);
      timings.record("checks", 99.5);
      timings.report();
      timings.report();
    } finally {
      performance.now = realNow;
      timings.stop();
    }
    expect(lines).toEqual([
      "stage timings, ms p50 / p99 over 100 updates: checks 0.500 / 0.500, apply –, commit 51.000 / 100.000, broadcast –",
    ]);
  });
});

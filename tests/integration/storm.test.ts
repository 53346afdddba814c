import { afterEach, describe, expect, it } from "vitest";
import { tempDataDir, removeDir } from "../support/relay.ts";
import { reconnectionStorm } from "../support/storm.ts";

describe("reconnection storm", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach(removeDir));

  it("brings 300 phones and 5 screens back, in sync, within 10 s of a SIGKILL and restart", async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const report = await reconnectionStorm(dir, 300, 5);
    console.log(
      `reconnection storm: ${report.phones} phones + ${report.screens} screens back in ${report.recoveryMs.toFixed(0)} ms`,
    );
    expect(report.recoveryMs).toBeLessThan(10_000);
  });
});

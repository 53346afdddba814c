import { describe, expect, it } from "vitest";
import { formatCountdown, timerIsSet, timerRemainingMs } from "./timer.ts";

describe("timer", () => {
  it("counts down on the relay's clock, whatever the device's clock says", () => {
    const timer = { endsAt: 100_000, remainingMs: 60_000 };
    // This device runs 5 s behind the relay.
    expect(timerRemainingMs(timer, 5_000, 40_000)).toBe(55_000);
    expect(timerRemainingMs(timer, 0, 200_000)).toBe(0);
    expect(timerRemainingMs({ endsAt: null, remainingMs: 42_000 }, 5_000, 0)).toBe(42_000);
  });

  it("formats mm:ss rounded up, and knows an unset timer", () => {
    expect(formatCountdown(61_001)).toBe("01:02");
    expect(formatCountdown(0)).toBe("00:00");
    expect(timerIsSet({ endsAt: null, remainingMs: 0 })).toBe(false);
    expect(timerIsSet({ endsAt: null, remainingMs: 1 })).toBe(true);
  });
});

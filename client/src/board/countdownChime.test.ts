import { describe, expect, it } from "vitest";
import { chimeWatcher } from "./countdownChime.ts";

const running = (endsAt: number) => ({ endsAt, remainingMs: 0 });

describe("the countdown chime", () => {
  it("plays once when a countdown it saw running reaches zero", () => {
    let plays = 0;
    const watch = chimeWatcher(() => plays++);
    watch(running(1000), 500, true);
    watch(running(1000), 0, true);
    watch(running(1000), 0, true);
    expect(plays).toBe(1);
  });

  it("stays silent when off, when opened after the end, and after a pause or a reset", () => {
    let plays = 0;
    const off = chimeWatcher(() => plays++);
    off(running(1000), 500, false);
    off(running(1000), 0, false);
    const late = chimeWatcher(() => plays++);
    late(running(1000), 0, true);
    const paused = chimeWatcher(() => plays++);
    paused(running(1000), 500, true);
    paused({ endsAt: null, remainingMs: 500 }, 500, true);
    paused({ endsAt: null, remainingMs: 0 }, 0, true);
    expect(plays).toBe(0);
  });

  it("plays again for the next countdown", () => {
    let plays = 0;
    const watch = chimeWatcher(() => plays++);
    watch(running(1000), 10, true);
    watch(running(1000), 0, true);
    watch(running(5000), 10, true);
    watch(running(5000), 0, true);
    expect(plays).toBe(2);
  });
});

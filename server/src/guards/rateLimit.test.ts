import { describe, expect, it } from "vitest";
import { TokenBucket } from "./rateLimit.ts";

describe("TokenBucket", () => {
  it("allows a burst, then one per refill period", () => {
    const bucket = new TokenBucket(3, 1000, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0]);
    expect(bucket.take(0)).toBe(1000);
    expect(bucket.take(500)).toBe(500);
    expect(bucket.take(1000)).toBe(0);
    expect(bucket.take(1000)).toBeGreaterThan(0);
  });

  it("never stores more than the burst", () => {
    const bucket = new TokenBucket(2, 10, 0);
    bucket.take(1_000_000);
    bucket.take(1_000_000);
    expect(bucket.take(1_000_000)).toBeGreaterThan(0);
  });
});

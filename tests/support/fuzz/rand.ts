/**
 * The fuzzer's only source of randomness. Every choice of a run goes through
 * one `Rand`, forked per worker and per session, so that a seed replays the
 * same sessions and frames: a new draw anywhere changes what every later
 * draw of that session means, which is why the regression tests do not rely
 * on seeds (tests/integration/fuzzRegressions.test.ts).
 */
import { seededRandom } from "../random.ts";

export class Rand {
  constructor(private readonly next: () => number) {}

  static seeded(seed: number): Rand {
    return new Rand(seededRandom(seed));
  }

  float(): number {
    return this.next();
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** An integer in [a, b]. */
  range(a: number, b: number): number {
    return a + this.int(b - a + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  weighted<T>(entries: readonly (readonly [number, T])[]): T {
    const total = entries.reduce((s, [w]) => s + w, 0);
    let x = this.next() * total;
    for (const [w, value] of entries) {
      x -= w;
      if (x < 0) return value;
    }
    return entries[entries.length - 1]![1];
  }
  uint32(): number {
    return Math.floor(this.next() * 0x1_0000_0000) >>> 0;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  /** A small count, mostly 1–3, sometimes more. */
  small(max = 8): number {
    return Math.min(max, 1 + Math.floor(-Math.log(1 - this.next() * 0.999) * 1.5));
  }
  fork(): Rand {
    return Rand.seeded(this.uint32());
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A token bucket: `burst` actions at once, then one every `refillMs`.
 * Time is passed in so tests need no clock tricks.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst: number,
    private readonly refillMs: number,
    now: number = Date.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Tokens available now, without taking one. */
  peek(now: number = Date.now()): number {
    return Math.min(this.burst, this.tokens + (now - this.last) / this.refillMs);
  }

  /** Takes one token; returns 0 if allowed, else the wait in ms until one is free. */
  take(now: number = Date.now()): number {
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) / this.refillMs);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.tokens) * this.refillMs);
  }
}

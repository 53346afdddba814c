import { LIMITS } from "@atelier/shared/wire/limits";
import { TokenBucket } from "./rateLimit.ts";

/** Open sockets per remote address, so one machine cannot exhaust the relay. */
export class ConnectionsPerAddress {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  open(address: string): boolean {
    const n = this.counts.get(address) ?? 0;
    if (n >= this.max) return false;
    this.counts.set(address, n + 1);
    return true;
  }

  closed(address: string): void {
    const n = (this.counts.get(address) ?? 1) - 1;
    if (n <= 0) this.counts.delete(address);
    else this.counts.set(address, n);
  }
}

/**
 * Unknown join codes per address. Only failures count, so a whole room
 * joining from behind one venue address is never slowed down; someone
 * guessing gets 20 tries, then one every 6 s: with 31^6 codes, hopeless.
 */
export class JoinGuesses {
  private readonly buckets = new Map<string, TokenBucket>();

  private bucket(address: string): TokenBucket {
    let bucket = this.buckets.get(address);
    if (!bucket) {
      if (this.buckets.size > 10_000) this.buckets.clear(); // bounded memory; a reset only forgives
      bucket = new TokenBucket(LIMITS.joinFailureBurst, LIMITS.joinFailureRefillMs);
      this.buckets.set(address, bucket);
    }
    return bucket;
  }

  blocked(address: string): boolean {
    return this.bucket(address).peek() < 1;
  }

  failed(address: string): void {
    this.bucket(address).take();
  }
}

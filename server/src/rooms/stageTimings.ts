import { performance } from "node:perf_hooks";

/**
 * Where the time of a document update goes inside the relay, for the
 * fan-out benchmark's question "why is Atelier slower than the reference
 * server?". Off unless ATELIER_STAGE_TIMINGS=1: a relay in service reads the
 * clock (tens of nanoseconds) but keeps and sorts nothing.
 *
 * - `checks`: a screen's update decoded and checked (rules R6, R7), before it
 *   is handed to its room;
 * - `apply`: the change integrated into the document;
 * - `commit`: from the change's enqueueing to the return of its durable
 *   commit (rule D1: nothing is broadcast before), the fsync included;
 * - `broadcast`: the committed update sent to every member of the room.
 */
export type Stage = "checks" | "apply" | "commit" | "broadcast";
const STAGES: Stage[] = ["checks", "apply", "commit", "broadcast"];

export class StageTimings {
  private samples = emptySamples();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly log: (message: string) => void,
    everyMs = 10_000,
  ) {
    this.timer = setInterval(() => this.report(), everyMs);
    this.timer.unref();
  }

  static now(): number {
    return performance.now();
  }

  record(stage: Stage, since: number): void {
    this.samples[stage].push(performance.now() - since);
  }

  /** One log line for what was recorded since the last one; nothing when idle. */
  report(): void {
    const counts = STAGES.map((s) => this.samples[s].length);
    if (counts.every((n) => n === 0)) return;
    const parts = STAGES.map((stage) => {
      const sorted = this.samples[stage].sort((a, b) => a - b);
      if (sorted.length === 0) return `${stage} –`;
      const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(3);
      return `${stage} ${at(50)} / ${at(99)}`;
    });
    this.log(`stage timings, ms p50 / p99 over ${Math.max(...counts)} updates: ${parts.join(", ")}`);
    this.samples = emptySamples();
  }

  stop(): void {
    clearInterval(this.timer);
    this.report();
  }
}

function emptySamples(): Record<Stage, number[]> {
  return { checks: [], apply: [], commit: [], broadcast: [] };
}

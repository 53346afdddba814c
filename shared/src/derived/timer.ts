import type { TimerState } from "../wire/protocol.ts";

/**
 * The countdown, read the same way by the relay (offset 0), the phones and
 * the screens (offset: relay clock minus their own, measured on connect).
 */
export function timerRemainingMs(timer: TimerState, clockOffsetMs = 0, now = Date.now()): number {
  return timer.endsAt === null ? timer.remainingMs : Math.max(0, timer.endsAt - (now + clockOffsetMs));
}

/** No timer was started, or it was reset. */
export function timerIsSet(timer: TimerState): boolean {
  return timer.endsAt !== null || timer.remainingMs > 0;
}

/** "mm:ss", rounded up so the display reaches 00:00 exactly when time is up. */
export function formatCountdown(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
}

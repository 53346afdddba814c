import { useEffect, useState } from "react";
import type { TimerState } from "@atelier/shared/protocol";

/** "mm:ss" left on the relay's clock, ticking every second; null when no timer is set. */
export function useCountdown(timer: TimerState, clockOffset: number): string | null {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(id);
  }, []);
  if (timer.endsAt === null && timer.remainingMs === 0) return null;
  const ms = timer.endsAt === null ? timer.remainingMs : Math.max(0, timer.endsAt - (now + clockOffset));
  const seconds = Math.ceil(ms / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
}

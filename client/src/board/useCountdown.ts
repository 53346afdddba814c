import { useEffect, useState } from "react";
import type { TimerState } from "@atelier/shared/wire/protocol";
import { formatCountdown, timerIsSet, timerRemainingMs } from "@atelier/shared/derived/timer";

/** "mm:ss" left on the relay's clock, ticking every second; null when no timer is set. */
export function useCountdown(timer: TimerState, clockOffset: number): string | null {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(id);
  }, []);
  return timerIsSet(timer) ? formatCountdown(timerRemainingMs(timer, clockOffset, now)) : null;
}

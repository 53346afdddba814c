import { useEffect, useRef, useState } from "react";
import type { TimerState } from "@atelier/shared/wire/protocol";
import { timerRemainingMs } from "@atelier/shared/derived/timer";

/** Served by the relay with the pages (no CDN); made by scripts/make-chime.mjs. */
export const CHIME_URL = "/sounds/countdown-end.wav";

/**
 * Decides when the chime plays: once per countdown, when a countdown this
 * screen saw running reaches zero. A page opened after the end, a pause or
 * a reset stays silent.
 */
export function chimeWatcher(play: () => void) {
  let armedFor: number | null = null;
  return (timer: TimerState, remainingMs: number, enabled: boolean): void => {
    if (timer.endsAt === null) {
      armedFor = null;
      return;
    }
    if (remainingMs > 0) {
      armedFor = timer.endsAt;
      return;
    }
    if (armedFor === timer.endsAt) {
      armedFor = null;
      if (enabled) play();
    }
  };
}

/**
 * The projector's chime. Browsers refuse sound before someone has touched
 * the page, so while the chime is on and the page has had no click, it asks
 * for one (`needsGesture`), rather than failing silently at the end.
 */
export function useCountdownChime(timer: TimerState, clockOffset: number, enabled: boolean) {
  const audio = useRef<HTMLAudioElement | null>(null);
  const [activated, setActivated] = useState(() => navigator.userActivation?.hasBeenActive ?? false);
  const watch = useRef(
    chimeWatcher(() => {
      audio.current ??= new Audio(CHIME_URL);
      audio.current.currentTime = 0;
      audio.current.play().catch(() => setActivated(false));
    }),
  );
  const state = useRef({ timer, clockOffset, enabled });
  state.current = { timer, clockOffset, enabled };
  useEffect(() => {
    const tick = () => {
      const { timer, clockOffset, enabled } = state.current;
      watch.current(timer, timerRemainingMs(timer, clockOffset), enabled);
    };
    tick();
    const id = setInterval(tick, 250);
    return () => clearInterval(id);
  }, []);
  return {
    needsGesture: enabled && !activated,
    activate: () => {
      audio.current ??= new Audio(CHIME_URL);
      // Loaded now, on the click, so the end of the countdown plays at once.
      audio.current.load();
      setActivated(true);
    },
  };
}

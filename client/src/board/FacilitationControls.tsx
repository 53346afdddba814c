import { LIMITS } from "@atelier/shared/wire/limits";
import { useEffect, useState } from "react";
import { PHASES, type Phase } from "@atelier/shared/wire/protocol";
import { voteTotalsHidden, type BoardSettings } from "@atelier/shared/document/docLayout";
import { t } from "../i18n/index.ts";
import type { BoardApi } from "./api.ts";
import { useCountdown } from "./useCountdown.ts";

/** Phases, timer, dot voting: what the facilitator moves the room through. */
export function FacilitationControls(props: {
  api: BoardApi;
  settings: BoardSettings;
  clockOffset: number;
  doneCount: number;
  /** Participants who gave a dot: all the room sees of a vote whose totals wait for its close. */
  voterCount: number;
  act(action: () => Promise<unknown>): void;
}) {
  const { api, settings, act } = props;
  const [minutes, setMinutes] = useState(5);
  const [target, setTarget] = useState<"notes" | "themes">(settings.vote.target);
  const [dots, setDots] = useState(settings.vote.dots);
  const [hideTotals, setHideTotals] = useState(settings.vote.hideTotals);
  const countdown = useCountdown(settings.timer, props.clockOffset);
  useEffect(() => setTarget(settings.vote.target), [settings.vote.target]);
  useEffect(() => setHideTotals(settings.vote.hideTotals), [settings.vote.hideTotals]);

  return (
    <section className="panel-facilitation">
      <fieldset>
        <legend>{t("board.phase")}</legend>
        {PHASES.map((phase: Phase) => (
          <button
            key={phase}
            type="button"
            aria-pressed={settings.phase === phase}
            onClick={() => act(() => api.settings({ phase }))}
          >
            {t(`phase.${phase}`)}
          </button>
        ))}
      </fieldset>
      <label className="inline">
        <input
          type="checkbox"
          checked={settings.hideTextsUntilReveal}
          onChange={(e) => act(() => api.settings({ hideTextsUntilReveal: e.target.checked }))}
        />{" "}
        {t("board.hideTexts")}
      </label>
      <p className="muted" data-testid="done-count">
        {t("board.doneCount", { count: props.doneCount })}
      </p>

      <fieldset>
        <legend>
          {t("board.timer")} {countdown ? <span data-testid="facilitator-timer">{countdown}</span> : null}
        </legend>
        <label htmlFor="timer-minutes">{t("board.timerMinutes")}</label>
        <input
          id="timer-minutes"
          type="number"
          min={1}
          max={240}
          value={minutes}
          onChange={(e) => setMinutes(Number(e.target.value))}
        />
        <button
          type="button"
          onClick={() => act(() => api.settings({ timer: { action: "start", durationMs: minutes * 60_000 } }))}
        >
          {t("board.timerStart")}
        </button>
        {settings.timer.endsAt !== null ? (
          <button type="button" onClick={() => act(() => api.settings({ timer: { action: "pause" } }))}>
            {t("board.timerPause")}
          </button>
        ) : settings.timer.remainingMs > 0 ? (
          <button type="button" onClick={() => act(() => api.settings({ timer: { action: "resume" } }))}>
            {t("board.timerResume")}
          </button>
        ) : null}
        <button type="button" onClick={() => act(() => api.settings({ timer: { action: "reset" } }))}>
          {t("board.timerReset")}
        </button>
        <label className="inline">
          <input
            type="checkbox"
            checked={settings.countdownSound}
            onChange={(e) => act(() => api.settings({ countdownSound: e.target.checked }))}
          />{" "}
          {t("board.timerSound")}
        </label>
      </fieldset>

      <fieldset>
        <legend>{t("board.voteTitle")}</legend>
        <label htmlFor="vote-target">{t("board.voteTarget")}</label>
        <select id="vote-target" value={target} onChange={(e) => setTarget(e.target.value as "notes" | "themes")}>
          <option value="notes">{t("board.voteNotes")}</option>
          <option value="themes">{t("board.voteThemes")}</option>
        </select>
        <label htmlFor="vote-dots">{t("board.voteDots")}</label>
        <input
          id="vote-dots"
          type="number"
          min={LIMITS.voteDotsMin}
          max={LIMITS.voteDotsMax}
          value={dots}
          onChange={(e) => setDots(Number(e.target.value))}
        />
        <label className="inline">
          <input
            type="checkbox"
            checked={hideTotals}
            onChange={(e) => {
              setHideTotals(e.target.checked);
              // During an open vote the choice applies at once: the relay hides or reveals the totals.
              if (settings.vote.open)
                act(() => api.settings({ vote: { ...settings.vote, hideTotals: e.target.checked } }));
            }}
          />{" "}
          {t("board.voteHideTotals")}
        </label>
        <button
          type="button"
          aria-pressed={settings.vote.open}
          onClick={() =>
            act(() =>
              api.settings(
                settings.vote.open
                  ? { vote: { ...settings.vote, open: false } }
                  : { phase: "vote", vote: { open: true, target, dots, hideTotals } },
              ),
            )
          }
        >
          {settings.vote.open ? t("board.voteClose") : t("board.voteOpen")}
        </button>
        {voteTotalsHidden(settings) ? (
          <p className="muted" role="status" data-testid="voters-hidden">
            {t("board.votersHidden", { count: props.voterCount })}
          </p>
        ) : null}
      </fieldset>
    </section>
  );
}

import { readSettings, writeSettings, type BoardSettings } from "@atelier/shared/document/docLayout";
import { Origin } from "@atelier/shared/document/origins";
import type { SettingsPatch } from "@atelier/shared/wire/boardSchemas";
import { timerRemainingMs } from "@atelier/shared/derived/timer";
import type { Room } from "../rooms/room.ts";
import type { Result } from "../rooms/result.ts";
import { writeVoteTotals } from "./voting.ts";
import { cleanLabel } from "@atelier/shared/wire/text";

/**
 * Settings the facilitator changes through the API (phase, moderation mode,
 * lock, vote, timer). The timer runs on the relay's clock, so every screen
 * and phone counts down to the same instant.
 */
export async function changeSettings(room: Room, patch: SettingsPatch, now = Date.now()): Promise<Result> {
  const { timer: action, ...rest } = patch;
  const current = readSettings(room.docs.room);
  const { vote, ...others } = rest;
  const next: Partial<BoardSettings> = { ...others };
  // A theme named here may become a frame title on the projector: cleaned like every label.
  if (others.curationWords)
    next.curationWords = others.curationWords
      .map(({ form, theme }) => ({ form: cleanLabel(form), theme: cleanLabel(theme) }))
      .filter(({ form, theme }) => form.length >= 2 && theme.length > 0);
  if (vote) next.vote = { ...vote, hideTotals: vote.hideTotals ?? current.vote.hideTotals };
  if (action) {
    const left = timerRemainingMs(current.timer, 0, now);
    switch (action.action) {
      case "start":
        next.timer = { endsAt: now + action.durationMs, remainingMs: action.durationMs };
        break;
      case "pause":
        next.timer = { endsAt: null, remainingMs: left };
        break;
      case "resume":
        next.timer = { endsAt: now + left, remainingMs: left };
        break;
      case "reset":
        next.timer = { endsAt: null, remainingMs: 0 };
        break;
    }
  }
  if (patch.phase === "closed") {
    next.submissions = "locked";
    // A closed day has no open vote: its totals are revealed in the same commit.
    next.vote = { ...(next.vote ?? current.vote), open: false };
  }
  // A vote closing reveals its totals in the same transaction.
  return room.commit({
    edit: (docs) =>
      docs.room.transact(() => {
        writeSettings(docs.room, next);
        writeVoteTotals(docs.room, room.ledger);
      }, Origin.facilitator),
  });
}

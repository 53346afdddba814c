import * as Y from "yjs";
import { LIMITS } from "../wire/limits.ts";
import {
  PHASES,
  type Choice,
  type ModerationMode,
  type Phase,
  type PhoneBoardView,
  type SubmissionState,
  type TimerState,
  type VoteSettings,
} from "../wire/protocol.ts";

/**
 * A board is two Yjs documents, because what the room may see and what only
 * the facilitator may see must never share a document: a projector that
 * syncs a document receives all of it, and deleted text lingers in Yjs.
 *
 * - `room`: settings, visible notes, the canvas. Synced by every board screen.
 * - `inbox`: notes waiting for approval or hidden. Synced by facilitators only,
 *   written only by the relay.
 *
 * A note lives in exactly one of them, according to its status.
 */
export const DOC_NAMES = ["room", "inbox"] as const;
export type DocName = (typeof DOC_NAMES)[number];

/** Top-level types of the `room` document. */
export const ROOM = {
  settings: "settings",
  notes: "notes",
  /** Vote totals per target (note id or theme frame id), written by the relay. */
  votes: "votes",
  /** Counters phones feed anonymously (`done`: participants who said they are done). */
  signals: "signals",
  /** tldraw records, a YKeyValue over this array (the board issue). */
  canvas: "canvas",
  /** tldraw schema of the records in `canvas`. */
  canvasMeta: "canvasMeta",
} as const;

/**
 * Top-level types of `room` the relay alone writes, after its checks: notes
 * (rule P1), vote totals and phones' signals. A facilitator's screen may
 * write any other type (the canvas, its schema, settings); an update that
 * touches one of these is refused (rule R7).
 */
export const RELAY_WRITES: readonly string[] = [ROOM.notes, ROOM.votes, ROOM.signals];

/** Whether a facilitator's screen may write this top-level type of `room` (rule R7). */
export function facilitatorMayWrite(type: string): boolean {
  return !RELAY_WRITES.includes(type);
}

/** Top-level types of the `inbox` document (written by the relay alone). */
export const INBOX_DOC = {
  notes: "notes",
} as const;

/** Bumped when the layout above changes; `layoutMigrations.ts` upgrades older boards on load. */
export const DOC_LAYOUT_VERSION = 2;

export type NoteStatus = "visible" | "pending" | "hidden";

/** A note as stored in a document. Who wrote it is kept out of the documents. */
export interface NoteRecord {
  id: string;
  text: string;
  prompt: string;
  category: string;
  /** First name or other label chosen by the participant; "" means anonymous. */
  author: string;
  createdAt: number;
  updatedAt: number;
  status: NoteStatus;
}

/**
 * What the room's screen shows, chosen on a facilitator's board:
 * - `board`: the whole board, refitted as it grows (the default);
 * - `screen`: what one facilitator screen sees;
 * - `theme`: one theme's frame, chosen by one facilitator screen.
 *
 * `screen` is the presenting screen's id, as its awareness state carries it:
 * when that screen has been gone for `PRESENTER_GRACE_MS` (its page closed),
 * projectors fall back to the whole board; a reload is back within it.
 */
export type Presenting =
  { mode: "board" } | { mode: "screen"; screen: string } | { mode: "theme"; frame: string; screen: string };

/** How long a projector keeps showing what a presenting screen chose after it went away. */
export const PRESENTER_GRACE_MS = 3_000;

/** A facilitator screen's id (in its awareness and in `Presenting`), and a theme frame's shape id. */
export const SCREEN_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
export const FRAME_ID_PATTERN = /^shape:[A-Za-z0-9_-]{1,64}$/;

export interface BoardSettings extends PhoneBoardView {
  layoutVersion: number;
  /** The projector shows post-its without their text until the reveal phase. */
  hideTextsUntilReveal: boolean;
  presenting: Presenting;
  /** The language of what the relay writes for this board (the debrief document). */
  language: BoardLanguage;
  /** The projector plays a soft chime when the countdown reaches zero (off unless asked for). */
  countdownSound: boolean;
  /** The board's own words for theme suggestions, each counted under a theme of its own naming. */
  curationWords: { form: string; theme: string }[];
  /** The template the board was created from (one of `TEMPLATES`; empty for boards made before it was kept). */
  template: string;
}

export type BoardLanguage = "fr" | "en";

function readPresenting(value: unknown): Presenting {
  const p = value as Partial<{ mode: string; screen: unknown; frame: unknown }> | undefined;
  if (p?.mode === "screen" && typeof p.screen === "string" && SCREEN_ID_PATTERN.test(p.screen))
    return { mode: "screen", screen: p.screen };
  if (
    p?.mode === "theme" &&
    typeof p.frame === "string" &&
    FRAME_ID_PATTERN.test(p.frame) &&
    typeof p.screen === "string" &&
    SCREEN_ID_PATTERN.test(p.screen)
  )
    return { mode: "theme", frame: p.frame, screen: p.screen };
  return { mode: "board" };
}

export function docForStatus(status: NoteStatus): DocName {
  return status === "visible" ? "room" : "inbox";
}

export function notesMap(doc: Y.Doc): Y.Map<NoteRecord> {
  return doc.getMap<NoteRecord>(ROOM.notes);
}

export function settingsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(ROOM.settings);
}

/** Only `{id, label}` strings go out: extra fields written by a facilitator are dropped. */
function choices(value: unknown): Choice[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(
      (c): c is Choice =>
        typeof c === "object" && c !== null && typeof c.id === "string" && typeof c.label === "string",
    )
    .map(({ id, label }) => ({ id, label }));
}

function readCurationWords(value: unknown): { form: string; theme: string }[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(
      (w): w is { form: string; theme: string } =>
        typeof w === "object" && w !== null && typeof w.form === "string" && typeof w.theme === "string",
    )
    .slice(0, 200)
    .map(({ form, theme }) => ({ form: form.slice(0, 60), theme: theme.slice(0, 80) }));
}

/**
 * Reads settings defensively: a facilitator can write the room document, so
 * a missing or malformed value falls back to a safe default.
 */
export function readSettings(doc: Y.Doc): BoardSettings {
  const s = settingsMap(doc);
  const str = (key: string) => (typeof s.get(key) === "string" ? (s.get(key) as string) : "");
  const timer = s.get("timer") as Partial<TimerState> | undefined;
  const vote = s.get("vote") as Partial<VoteSettings> | undefined;
  const phase = s.get("phase");
  return {
    phase: (PHASES as readonly unknown[]).includes(phase) ? (phase as Phase) : "collect",
    timer: {
      endsAt: typeof timer?.endsAt === "number" ? timer.endsAt : null,
      remainingMs: typeof timer?.remainingMs === "number" ? Math.max(0, timer.remainingMs) : 0,
    },
    vote: {
      open: vote?.open === true,
      target: vote?.target === "themes" ? "themes" : "notes",
      dots:
        typeof vote?.dots === "number" && vote.dots >= LIMITS.voteDotsMin && vote.dots <= LIMITS.voteDotsMax
          ? Math.floor(vote.dots)
          : LIMITS.voteDotsDefault,
      hideTotals: vote?.hideTotals !== false,
    },
    hideTextsUntilReveal: s.get("hideTextsUntilReveal") === true,
    presenting: readPresenting(s.get("presenting")),
    language: s.get("language") === "en" ? "en" : "fr",
    countdownSound: s.get("countdownSound") === true,
    template: str("template"),
    curationWords: readCurationWords(s.get("curationWords")),
    title: str("title"),
    date: str("date"),
    prompts: choices(s.get("prompts")),
    categories: choices(s.get("categories")),
    submissions: (s.get("submissions") === "locked" ? "locked" : "open") as SubmissionState,
    moderation: (s.get("moderation") === "controlled" ? "controlled" : "open") as ModerationMode,
    layoutVersion: typeof s.get("layoutVersion") === "number" ? (s.get("layoutVersion") as number) : 0,
  };
}

export function writeSettings(doc: Y.Doc, settings: Partial<BoardSettings>): void {
  const s = settingsMap(doc);
  for (const [key, value] of Object.entries(settings)) {
    if (value !== undefined) s.set(key, value);
  }
}

export function isNoteRecord(value: unknown): value is NoteRecord {
  if (typeof value !== "object" || value === null) return false;
  const n = value as Record<string, unknown>;
  return (
    typeof n.id === "string" &&
    typeof n.text === "string" &&
    typeof n.prompt === "string" &&
    typeof n.category === "string" &&
    typeof n.author === "string" &&
    typeof n.createdAt === "number" &&
    typeof n.updatedAt === "number" &&
    (n.status === "visible" || n.status === "pending" || n.status === "hidden")
  );
}

/** Notes of one document, oldest first, skipping anything malformed. */
export function readNotes(doc: Y.Doc): NoteRecord[] {
  const out: NoteRecord[] = [];
  for (const value of notesMap(doc).values()) if (isNoteRecord(value)) out.push(value);
  return out.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

/**
 * Whether vote totals are kept out of the room document now: while a vote
 * whose totals are revealed at its close is open, whatever step the room
 * is on (moving on does not close a vote; closing it, or the day, does).
 */
export function voteTotalsHidden(settings: BoardSettings): boolean {
  return settings.vote.open && settings.vote.hideTotals;
}

/** Vote totals per target, as the relay keeps them. */
export function readVotes(doc: Y.Doc): Map<string, number> {
  const out = new Map<string, number>();
  for (const [target, count] of doc.getMap<number>(ROOM.votes))
    if (typeof count === "number" && count > 0) out.set(target, count);
  return out;
}

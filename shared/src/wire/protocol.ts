/**
 * The phone protocol: JSON messages over `/ws/phone/:joinCode`.
 * Types and constants only, so the phone page can import this file without
 * pulling in a schema library; the relay parses with `phoneSchemas.ts`.
 */
export const PHONE_PROTOCOL_VERSION = 1;

export type SubmissionState = "open" | "locked";
export type ModerationMode = "open" | "controlled";

export interface Choice {
  id: string;
  label: string;
}

/** The moments of a facilitated day; each decides what phones may do (see `phaseAllows`). */
export const PHASES = ["collect", "reveal", "group", "vote", "closed"] as const;
export type Phase = (typeof PHASES)[number];

/** A countdown: running until `endsAt` (relay clock), or paused with `remainingMs` left. */
export interface TimerState {
  endsAt: number | null;
  remainingMs: number;
}

export interface VoteSettings {
  open: boolean;
  target: "notes" | "themes";
  /** Dots per participant. */
  dots: number;
  /**
   * Totals stay off every screen while the vote is open, so early dots do
   * not steer later ones; the relay writes them into the room document when
   * the vote closes. On unless the facilitator turns it off.
   */
  hideTotals: boolean;
}

/** What a phone needs to know about the board. Never holds other people's notes. */
export interface PhoneBoardView {
  title: string;
  date: string;
  prompts: Choice[];
  categories: Choice[];
  submissions: SubmissionState;
  moderation: ModerationMode;
  phase: Phase;
  timer: TimerState;
  vote: VoteSettings;
}

export function phaseAllows(phase: Phase, action: "post" | "vote" | "done"): boolean {
  switch (action) {
    case "post":
      return phase === "collect" || phase === "reveal";
    case "vote":
      return phase === "vote";
    case "done":
      return phase !== "closed";
  }
}

/** What can be voted on, and this participant's dots on each. */
export interface VoteBallot {
  targets: Choice[];
  mine: Record<string, number>;
}

/** How a participant sees one of their own notes. */
export type MyNoteState = "shown" | "waiting_approval" | "hidden" | "withdrawn";

export interface MyNote {
  id: string;
  text: string;
  prompt: string;
  category: string;
  author: string;
  state: MyNoteState;
  createdAt: number;
}

export interface NoteDraft {
  id: string;
  text: string;
  prompt: string;
  category: string;
  author: string;
}

export type PhoneClientMessage =
  | { type: "hello"; v: number; participant: string }
  | ({ type: "submit" } & NoteDraft)
  | ({ type: "edit" } & NoteDraft)
  | { type: "withdraw"; id: string }
  /** Put (+1) or take back (-1) one dot; `id` makes the reply findable, like a note id. */
  | { type: "vote"; id: string; target: string; delta: 1 | -1 }
  | { type: "done"; id: string }
  /** The page's heartbeat (see `LIVENESS`): answered with `pong`, before or after `hello`. */
  | { type: "ping" };

/**
 * The heartbeat's two frames, byte for byte: pages send exactly this text,
 * so the relay answers it without parsing JSON (1,000 phones ping every
 * few seconds).
 */
export const PHONE_PING_FRAME = '{"type":"ping"}';
export const PHONE_PONG_FRAME = '{"type":"pong"}';

export type PhoneOperation = "submit" | "edit" | "withdraw" | "vote" | "done";

/** Why the relay refused a message; the phone translates each into a sentence. */
export const RefusalReason = {
  BadMessage: "bad_message",
  NotHello: "hello_first",
  WrongVersion: "wrong_version",
  EmptyText: "empty_text",
  TextTooLong: "text_too_long",
  AuthorTooLong: "author_too_long",
  UnknownPrompt: "unknown_prompt",
  UnknownCategory: "unknown_category",
  Locked: "submissions_locked",
  NotYours: "not_yours",
  NoSuchNote: "no_such_note",
  RateLimited: "rate_limited",
  StorageUnavailable: "storage_unavailable",
  PhaseForbids: "phase_forbids",
  VoteClosed: "vote_closed",
  NoDotsLeft: "no_dots_left",
  UnknownTarget: "unknown_target",
} as const;
export type RefusalReason = (typeof RefusalReason)[keyof typeof RefusalReason];

export type PhoneServerMessage =
  | {
      type: "welcome";
      v: number;
      board: PhoneBoardView;
      notes: MyNote[];
      serverTime: number;
      ballot: VoteBallot;
      done: boolean;
    }
  | { type: "board"; board: PhoneBoardView; serverTime: number; ballot: VoteBallot }
  | { type: "voted"; id: string; ballot: VoteBallot }
  | { type: "doneAck"; id: string }
  | { type: "ack"; op: PhoneOperation; id: string; note: MyNote }
  | { type: "noteState"; note: MyNote }
  | { type: "refused"; op?: PhoneOperation; id?: string; reason: RefusalReason; retryAfterMs?: number }
  | { type: "pong" };

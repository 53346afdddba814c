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

/** What a phone needs to know about the board. Never holds other people's notes. */
export interface PhoneBoardView {
  title: string;
  date: string;
  prompts: Choice[];
  categories: Choice[];
  submissions: SubmissionState;
  moderation: ModerationMode;
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
  | { type: "withdraw"; id: string };

export type PhoneOperation = "submit" | "edit" | "withdraw";

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
} as const;
export type RefusalReason = (typeof RefusalReason)[keyof typeof RefusalReason];

export type PhoneServerMessage =
  | { type: "welcome"; v: number; board: PhoneBoardView; notes: MyNote[] }
  | { type: "board"; board: PhoneBoardView }
  | { type: "ack"; op: PhoneOperation; id: string; note: MyNote }
  | { type: "noteState"; note: MyNote }
  | { type: "refused"; op?: PhoneOperation; id?: string; reason: RefusalReason; retryAfterMs?: number };

import { z } from "zod";
import { LIMITS } from "./limits.ts";
import { PHASES } from "./protocol.ts";
import { TEMPLATES } from "../document/templates.ts";
import { FRAME_ID_PATTERN, SCREEN_ID_PATTERN } from "../document/docLayout.ts";
import { earlierDaySchema } from "./adminSchemas.ts";
import type { DetailKind } from "../derived/curation/identifyingDetails.ts";

const MODERATION_MODES = ["open", "controlled"] as const;
const SUBMISSION_STATES = ["open", "locked"] as const;
export const BOARD_LANGUAGES = ["fr", "en"] as const;

/** Body of `POST /api/boards`. Labels are cleaned by the relay after parsing. */
export const createBoardRequest = z.strictObject({
  title: z
    .string()
    .min(1)
    .max(LIMITS.titleMax * 2),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  prompts: z.array(z.string().max(LIMITS.labelMax * 2)).max(LIMITS.promptsMax),
  categories: z.array(z.string().max(LIMITS.labelMax * 2)).max(LIMITS.categoriesMax),
  moderation: z.enum(MODERATION_MODES).optional(),
  template: z.enum(TEMPLATES).optional(),
  /** The language of the documents the relay writes for this board (the debrief); French by default. */
  language: z.enum(BOARD_LANGUAGES).optional(),
  /** Start from an earlier day (admin secret): its prompts, categories, template, series, and themes if asked. */
  from: earlierDaySchema.optional(),
});
export type CreateBoardRequest = z.infer<typeof createBoardRequest>;

export interface BoardLinks {
  facilitator: string;
  projector: string;
  participant: string;
  coordinator: string;
}

export interface CreateBoardResponse {
  boardId: string;
  joinCode: string;
  links: BoardLinks;
}

/** Body of `PATCH /api/boards/:id/settings` (facilitator). The relay's clock sets the timer. */
export const settingsPatch = z.strictObject({
  submissions: z.enum(SUBMISSION_STATES).optional(),
  moderation: z.enum(MODERATION_MODES).optional(),
  phase: z.enum(PHASES).optional(),
  hideTextsUntilReveal: z.boolean().optional(),
  language: z.enum(BOARD_LANGUAGES).optional(),
  countdownSound: z.boolean().optional(),
  /** The board's own words for theme suggestions: « BAV » → « boîte à lettres », added to the field's lexicon. */
  curationWords: z
    .array(z.strictObject({ form: z.string().min(1).max(60), theme: z.string().min(1).max(80) }))
    .max(200)
    .optional(),
  /** What the projector shows (see `Presenting`). */
  presenting: z
    .discriminatedUnion("mode", [
      z.strictObject({ mode: z.literal("board") }),
      z.strictObject({ mode: z.literal("screen"), screen: z.string().regex(SCREEN_ID_PATTERN) }),
      z.strictObject({
        mode: z.literal("theme"),
        frame: z.string().regex(FRAME_ID_PATTERN),
        screen: z.string().regex(SCREEN_ID_PATTERN),
      }),
    ])
    .optional(),
  vote: z
    .strictObject({
      open: z.boolean(),
      target: z.enum(["notes", "themes"]),
      dots: z.number().int().min(LIMITS.voteDotsMin).max(LIMITS.voteDotsMax),
      hideTotals: z.boolean().optional(),
    })
    .optional(),
  timer: z
    .discriminatedUnion("action", [
      z.strictObject({
        action: z.literal("start"),
        durationMs: z
          .number()
          .int()
          .min(1000)
          .max(4 * 3_600_000),
      }),
      z.strictObject({ action: z.literal("pause") }),
      z.strictObject({ action: z.literal("resume") }),
      z.strictObject({ action: z.literal("reset") }),
    ])
    .optional(),
});
export type SettingsPatch = z.infer<typeof settingsPatch>;

/** Body of `POST /api/boards/:id/notes/:noteId` (facilitator moderation). */
export const moderationRequest = z.discriminatedUnion("action", [
  z.strictObject({ action: z.literal("approve") }),
  z.strictObject({ action: z.literal("hide") }),
  z.strictObject({ action: z.literal("unhide") }),
  z.strictObject({ action: z.literal("edit"), text: z.string().max(LIMITS.noteTextMax * 4) }),
  /** Replaces every identifying detail the relay finds by a placeholder, then approves (rule P4). */
  z.strictObject({ action: z.literal("redact") }),
]);
export type ModerationRequest = z.infer<typeof moderationRequest>;

/** JSON error body of every refused HTTP request. */
export interface ApiError {
  error: string;
  detail?: string;
}

/** One identifying detail in a note (`GET /api/boards/:id/flags`, rule P4). */
export interface NoteFlag {
  noteId: string;
  kind: DetailKind;
  /** String indices into the note's stored text, end excluded. */
  start: number;
  end: number;
  text: string;
  confidence: "sure" | "possible";
}

export interface NoteFlagsResponse {
  version: 1;
  flags: NoteFlag[];
}

/** `GET /api/boards/:id/suggestions` (facilitator): theme suggestions, near-duplicates, placements. */
export type { Suggestions as SuggestionsResponse } from "../derived/curation/themeSuggestions.ts";

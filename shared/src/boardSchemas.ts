import { z } from "zod";
import { LIMITS } from "./limits.ts";

/** Body of `POST /api/boards`. Labels are cleaned by the relay after parsing. */
export const createBoardRequest = z.strictObject({
  title: z
    .string()
    .min(1)
    .max(LIMITS.titleMax * 2),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  prompts: z
    .array(z.string().max(LIMITS.labelMax * 2))
    .min(1)
    .max(LIMITS.promptsMax),
  categories: z.array(z.string().max(LIMITS.labelMax * 2)).max(LIMITS.categoriesMax),
  moderation: z.enum(["open", "controlled"]).optional(),
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

/** Body of `PATCH /api/boards/:id/settings` (facilitator). */
export const settingsPatch = z.strictObject({
  submissions: z.enum(["open", "locked"]).optional(),
  moderation: z.enum(["open", "controlled"]).optional(),
});

/** Body of `POST /api/boards/:id/notes/:noteId` (facilitator moderation). */
export const moderationRequest = z.discriminatedUnion("action", [
  z.strictObject({ action: z.literal("approve") }),
  z.strictObject({ action: z.literal("hide") }),
  z.strictObject({ action: z.literal("unhide") }),
  z.strictObject({ action: z.literal("edit"), text: z.string().max(LIMITS.noteTextMax * 4) }),
]);
export type ModerationRequest = z.infer<typeof moderationRequest>;

/** JSON error body of every refused HTTP request. */
export interface ApiError {
  error: string;
  detail?: string;
}

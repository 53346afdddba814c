import { z } from "zod";
import { LIMITS } from "./limits.ts";
import type { PhoneClientMessage } from "./protocol.ts";

/**
 * Structural schema of phone messages, applied at the relay's edge. Bounds
 * here are loose (four times the real limit) so that a too-long note gets
 * the precise `text_too_long` refusal from the ingest step, not `bad_message`.
 */
const id = z
  .string()
  .min(LIMITS.idMin)
  .max(LIMITS.idMax)
  .regex(/^[A-Za-z0-9_-]+$/);
const draft = {
  id,
  text: z.string().max(LIMITS.noteTextMax * 4),
  prompt: z.string().max(LIMITS.idMax),
  category: z.string().max(LIMITS.idMax),
  author: z.string().max(LIMITS.authorMax * 4),
};

export const phoneClientMessage: z.ZodType<PhoneClientMessage> = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("hello"), v: z.number().int(), participant: id }),
  z.strictObject({ type: z.literal("submit"), ...draft }),
  z.strictObject({ type: z.literal("edit"), ...draft }),
  z.strictObject({ type: z.literal("withdraw"), id }),
  z.strictObject({
    type: z.literal("vote"),
    id,
    target: z
      .string()
      .min(1)
      .max(LIMITS.idMax * 2),
    delta: z.union([z.literal(1), z.literal(-1)]),
  }),
  z.strictObject({ type: z.literal("done"), id }),
  z.strictObject({ type: z.literal("ping") }),
]);

/** Parses one raw frame; `null` when it is not a valid message. */
export function parsePhoneMessage(raw: string): PhoneClientMessage | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const result = phoneClientMessage.safeParse(json);
  return result.success ? result.data : null;
}

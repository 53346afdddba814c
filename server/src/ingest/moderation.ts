import { readSettings, type NoteRecord } from "@atelier/shared/document/docLayout";
import { Origin } from "@atelier/shared/document/origins";
import type { ModerationRequest } from "@atelier/shared/wire/boardSchemas";
import { LIMITS } from "@atelier/shared/wire/limits";
import { RefusalReason } from "@atelier/shared/wire/protocol";
import { cleanText, visibleLength } from "@atelier/shared/wire/text";
import type { Room } from "../rooms/room.ts";
import { accept, refuse, type Result } from "../rooms/result.ts";
import { findNote, holdsBack, putNote } from "./notes.ts";
import { redactDetails } from "@atelier/shared/derived/curation/identifyingDetails";

/**
 * The facilitator's moderation of a note: approve, hide, unhide, correct its
 * text. A hidden or pending note moves to the `inbox` document, which the
 * projector never syncs.
 */
export async function moderateNote(
  room: Room,
  id: string,
  request: ModerationRequest,
  now = Date.now(),
): Promise<Result<NoteRecord>> {
  const found = findNote(room.docs, id);
  if (!found) return refuse(RefusalReason.NoSuchNote);
  const record = { ...found.record, updatedAt: now };
  switch (request.action) {
    case "approve":
    case "unhide":
      record.status = "visible";
      break;
    case "hide":
      record.status = "hidden";
      break;
    case "redact": {
      // Found again on the stored text, not on what a page saw: the note may have changed since.
      record.text = redactDetails(record.text, readSettings(room.docs.room).language);
      record.status = holdsBack(record.text) ? record.status : "visible";
      break;
    }
    case "edit": {
      const text = cleanText(request.text);
      if (text.length === 0) return refuse(RefusalReason.EmptyText);
      if (visibleLength(text) > LIMITS.noteTextMax) return refuse(RefusalReason.TextTooLong);
      record.text = text;
      break;
    }
    default: {
      const never: never = request;
      throw new Error(`unknown moderation action ${JSON.stringify(never)}`);
    }
  }
  const committed = await room.commit({ edit: (docs) => putNote(docs, record, Origin.facilitator) });
  return committed.ok ? accept(record) : committed;
}

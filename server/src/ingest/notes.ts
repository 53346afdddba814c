import {
  docForStatus,
  notesMap,
  readSettings,
  writeSettings,
  isNoteRecord,
  type DocName,
  type NoteRecord,
  type NoteStatus,
  type BoardSettings,
} from "@atelier/shared/document/docLayout";
import { LIMITS } from "@atelier/shared/wire/limits";
import { Origin } from "@atelier/shared/document/origins";
import { phaseAllows, RefusalReason, type MyNote, type NoteDraft } from "@atelier/shared/wire/protocol";
import type { ModerationRequest, SettingsPatch } from "@atelier/shared/wire/boardSchemas";
import { cleanLabel, cleanText, visibleLength } from "@atelier/shared/wire/text";
import { timerRemainingMs } from "@atelier/shared/derived/timer";
import type { Room } from "../rooms/rooms.ts";
import type { Storage } from "../storage/storage.ts";

/**
 * Every change to a note goes through here: phones' submissions, edits and
 * withdrawals, and the facilitator's moderation. The relay is the only
 * writer of notes, so their validity is decided in one place.
 */
export type NoteResult = { ok: true; note: MyNote } | { ok: false; reason: RefusalReason; retryAfterMs?: number };

export function findNote(room: Room, id: string): { doc: DocName; record: NoteRecord } | null {
  for (const doc of ["room", "inbox"] as const) {
    const value = notesMap(room.docs[doc]).get(id);
    if (isNoteRecord(value)) return { doc, record: value };
  }
  return null;
}

const STATE_OF: Record<NoteStatus, MyNote["state"]> = {
  visible: "shown",
  pending: "waiting_approval",
  hidden: "hidden",
};

/** How a note looks to its author; a note they withdrew has no record left. */
export function myNote(room: Room, id: string): MyNote {
  const found = findNote(room, id);
  if (!found) return { id, text: "", prompt: "", category: "", author: "", state: "withdrawn", createdAt: 0 };
  const { text, prompt, category, author, createdAt, status } = found.record;
  return { id, text, prompt, category, author, createdAt, state: STATE_OF[status] };
}

/** Writes the record into the document its status belongs to, removing it from the other. */
function putNote(room: Room, record: NoteRecord, origin: string): void {
  const target = docForStatus(record.status);
  const other: DocName = target === "room" ? "inbox" : "room";
  const otherNotes = notesMap(room.docs[other]);
  if (otherNotes.has(record.id)) room.docs[other].transact(() => otherNotes.delete(record.id), origin);
  room.docs[target].transact(() => notesMap(room.docs[target]).set(record.id, record), origin);
}

type Refusal = Extract<NoteResult, { ok: false }>;
type Checked = { fields: Pick<NoteRecord, "text" | "prompt" | "category" | "author"> } | Refusal;

function checkDraft(room: Room, draft: NoteDraft): Checked {
  const settings = readSettings(room.docs.room);
  const text = cleanText(draft.text);
  if (text.length === 0) return { ok: false, reason: RefusalReason.EmptyText };
  if (visibleLength(text) > LIMITS.noteTextMax) return { ok: false, reason: RefusalReason.TextTooLong };
  const author = cleanLabel(draft.author);
  if (visibleLength(author) > LIMITS.authorMax) return { ok: false, reason: RefusalReason.AuthorTooLong };
  if (settings.prompts.length > 0 && !settings.prompts.some((p) => p.id === draft.prompt)) {
    return { ok: false, reason: RefusalReason.UnknownPrompt };
  }
  if (draft.category !== "" && !settings.categories.some((c) => c.id === draft.category)) {
    return { ok: false, reason: RefusalReason.UnknownCategory };
  }
  return { fields: { text, prompt: draft.prompt, category: draft.category, author } };
}

/** Resolves once the change is on disk; a failed commit becomes a refusal. */
async function committed(storage: Storage, room: Room, id: string): Promise<NoteResult> {
  try {
    await storage.whenCommitted();
  } catch {
    return { ok: false, reason: RefusalReason.StorageUnavailable };
  }
  if (room.unusable) return { ok: false, reason: RefusalReason.StorageUnavailable };
  return { ok: true, note: myNote(room, id) };
}

export async function submitNote(
  storage: Storage,
  room: Room,
  participantHash: string,
  draft: NoteDraft,
  now = Date.now(),
): Promise<NoteResult> {
  if (room.unusable) return { ok: false, reason: RefusalReason.StorageUnavailable };
  const owner = room.owners.get(draft.id);
  // A resend of a note already stored (its ack was lost): acknowledge again, store nothing.
  if (owner === participantHash) return committed(storage, room, draft.id);
  if (owner !== undefined) return { ok: false, reason: RefusalReason.NotYours };
  const closed = postingClosed(room);
  if (closed) return closed;
  const checked = checkDraft(room, draft);
  if (!("fields" in checked)) return checked;
  const wait = room.noteBucket(participantHash).take(now);
  if (wait > 0) return { ok: false, reason: RefusalReason.RateLimited, retryAfterMs: wait };

  const controlled = readSettings(room.docs.room).moderation === "controlled";
  const record: NoteRecord = {
    id: draft.id,
    ...checked.fields,
    createdAt: now,
    updatedAt: now,
    status: controlled ? "pending" : "visible",
  };
  room.owners.set(draft.id, participantHash);
  // Same tick as the document change: both land in one SQLite transaction.
  void storage
    .enqueue({ type: "owner", boardId: room.boardId, noteId: draft.id, participantHash })
    .catch(() => undefined);
  putNote(room, record, Origin.phone);
  return committed(storage, room, draft.id);
}

/** Notes change only while submissions are open and the phase allows posting. */
function postingClosed(room: Room): Refusal | null {
  const { submissions, phase } = readSettings(room.docs.room);
  if (submissions === "locked") return { ok: false, reason: RefusalReason.Locked };
  if (!phaseAllows(phase, "post")) return { ok: false, reason: RefusalReason.PhaseForbids };
  return null;
}

function ownedNote(room: Room, participantHash: string, id: string): NoteRecord | Refusal {
  if (room.unusable) return { ok: false, reason: RefusalReason.StorageUnavailable };
  const owner = room.owners.get(id);
  if (owner === undefined) return { ok: false, reason: RefusalReason.NoSuchNote };
  if (owner !== participantHash) return { ok: false, reason: RefusalReason.NotYours };
  const closed = postingClosed(room);
  if (closed) return closed;
  const found = findNote(room, id);
  if (!found) return { ok: false, reason: RefusalReason.NoSuchNote };
  return found.record;
}

export async function editNote(
  storage: Storage,
  room: Room,
  participantHash: string,
  draft: NoteDraft,
  now = Date.now(),
): Promise<NoteResult> {
  const current = ownedNote(room, participantHash, draft.id);
  if ("ok" in current) return current;
  const checked = checkDraft(room, draft);
  if (!("fields" in checked)) return checked;
  const controlled = readSettings(room.docs.room).moderation === "controlled";
  // In controlled mode an edited note is approved again: approval was for the old text.
  const status: NoteStatus = current.status === "visible" && controlled ? "pending" : current.status;
  putNote(room, { ...current, ...checked.fields, status, updatedAt: now }, Origin.phone);
  return committed(storage, room, draft.id);
}

export async function withdrawNote(
  storage: Storage,
  room: Room,
  participantHash: string,
  id: string,
): Promise<NoteResult> {
  const current = ownedNote(room, participantHash, id);
  if ("ok" in current) return current;
  const doc = room.docs[docForStatus(current.status)];
  doc.transact(() => notesMap(doc).delete(id), Origin.phone);
  return committed(storage, room, id);
}

export type ModerationResult = { ok: true; note: NoteRecord | null } | { ok: false; error: string };

export async function moderateNote(
  storage: Storage,
  room: Room,
  id: string,
  request: ModerationRequest,
  now = Date.now(),
): Promise<ModerationResult> {
  const found = findNote(room, id);
  if (!found) return { ok: false, error: "no_such_note" };
  const record = { ...found.record, updatedAt: now };
  switch (request.action) {
    case "approve":
    case "unhide":
      record.status = "visible";
      break;
    case "hide":
      record.status = "hidden";
      break;
    case "edit": {
      const text = cleanText(request.text);
      if (text.length === 0 || visibleLength(text) > LIMITS.noteTextMax) return { ok: false, error: "bad_text" };
      record.text = text;
      break;
    }
    default: {
      const never: never = request;
      return { ok: false, error: `unknown action ${JSON.stringify(never)}` };
    }
  }
  putNote(room, record, Origin.moderation);
  try {
    await storage.whenCommitted();
  } catch {
    return { ok: false, error: "storage_unavailable" };
  }
  return { ok: true, note: record };
}

/** Settings the facilitator changes; the timer is computed on the relay's clock. */
export async function updateSettings(
  storage: Storage,
  room: Room,
  patch: SettingsPatch,
  now = Date.now(),
): Promise<void> {
  const { timer: action, ...rest } = patch;
  const next: Partial<BoardSettings> = { ...rest };
  if (action) {
    const left = timerRemainingMs(readSettings(room.docs.room).timer, 0, now);
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
  if (patch.phase === "closed") next.submissions = "locked";
  room.docs.room.transact(() => writeSettings(room.docs.room, next), Origin.moderation);
  await storage.whenCommitted();
}

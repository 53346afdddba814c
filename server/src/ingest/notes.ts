import {
  docForStatus,
  notesMap,
  readSettings,
  isNoteRecord,
  type DocName,
  type NoteRecord,
  type NoteStatus,
} from "@atelier/shared/document/docLayout";
import { LIMITS } from "@atelier/shared/wire/limits";
import { Origin } from "@atelier/shared/document/origins";
import { phaseAllows, RefusalReason, type MyNote, type NoteDraft } from "@atelier/shared/wire/protocol";
import { cleanLabel, cleanText, visibleLength } from "@atelier/shared/wire/text";
import type { BoardDocs, Room } from "../rooms/room.ts";
import { identifyingDetails } from "@atelier/shared/derived/curation/identifyingDetails";
import { accept, refuse, type Refusal, type Result } from "../rooms/result.ts";

/**
 * A phone's notes: submitted, edited and withdrawn. The relay is the only
 * writer of notes (rule P1), so whether a note is valid is decided here and
 * in the facilitator's moderation, nowhere else.
 */
export function findNote(docs: BoardDocs, id: string): { doc: DocName; record: NoteRecord } | null {
  for (const doc of ["room", "inbox"] as const) {
    const value = notesMap(docs[doc]).get(id);
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
  const found = findNote(room.docs, id);
  if (!found) return { id, text: "", prompt: "", category: "", author: "", state: "withdrawn", createdAt: 0 };
  const { text, prompt, category, author, createdAt, status } = found.record;
  return { id, text, prompt, category, author, createdAt, state: STATE_OF[status] };
}

/** Writes the record into the document its status belongs to, removing it from the other. */
export function putNote(docs: BoardDocs, record: NoteRecord, origin: string): void {
  const target = docForStatus(record.status);
  const other: DocName = target === "room" ? "inbox" : "room";
  const otherNotes = notesMap(docs[other]);
  if (otherNotes.has(record.id)) docs[other].transact(() => otherNotes.delete(record.id), origin);
  docs[target].transact(() => notesMap(docs[target]).set(record.id, record), origin);
}

type Fields = Pick<NoteRecord, "text" | "prompt" | "category" | "author">;

function checkDraft(room: Room, draft: NoteDraft): Result<Fields> {
  const settings = readSettings(room.docs.room);
  const text = cleanText(draft.text);
  if (text.length === 0) return refuse(RefusalReason.EmptyText);
  if (visibleLength(text) > LIMITS.noteTextMax) return refuse(RefusalReason.TextTooLong);
  const author = cleanLabel(draft.author);
  if (visibleLength(author) > LIMITS.authorMax) return refuse(RefusalReason.AuthorTooLong);
  if (settings.prompts.length > 0 && !settings.prompts.some((p) => p.id === draft.prompt)) {
    return refuse(RefusalReason.UnknownPrompt);
  }
  if (draft.category !== "" && !settings.categories.some((c) => c.id === draft.category)) {
    return refuse(RefusalReason.UnknownCategory);
  }
  return accept({ text, prompt: draft.prompt, category: draft.category, author });
}

/** The author's view of the note once the change is committed. */
function asMyNote(room: Room, id: string, committed: Result): Result<MyNote> {
  return committed.ok ? accept(myNote(room, id)) : committed;
}

export async function submitNote(
  room: Room,
  participantHash: string,
  draft: NoteDraft,
  now = Date.now(),
): Promise<Result<MyNote>> {
  if (room.unusable) return refuse(RefusalReason.StorageUnavailable);
  const owner = room.ledger.ownerOf(draft.id);
  // A resend of a note already stored (its ack was lost): acknowledge again, store nothing (rule P2).
  if (owner === participantHash) return asMyNote(room, draft.id, await room.commit({}));
  if (owner !== undefined) return refuse(RefusalReason.NotYours);
  const closed = postingClosed(room);
  if (closed) return closed;
  const checked = checkDraft(room, draft);
  if (!checked.ok) return checked;
  const wait = room.noteBucket(participantHash).take(now);
  if (wait > 0) return refuse(RefusalReason.RateLimited, wait);

  const controlled = readSettings(room.docs.room).moderation === "controlled";
  const record: NoteRecord = {
    id: draft.id,
    ...checked.value,
    createdAt: now,
    updatedAt: now,
    // A name or a number is held back in every mode (rule P4); the phone only sees it waiting.
    status: controlled || holdsBack(checked.value.text) ? "pending" : "visible",
  };
  const committed = await room.commit({
    rows: [{ type: "owner", noteId: draft.id, participantHash }],
    edit: (docs) => putNote(docs, record, Origin.phone),
  });
  return asMyNote(room, draft.id, committed);
}

/** Notes change only while submissions are open and the phase allows posting. */
function postingClosed(room: Room): Refusal | null {
  const { submissions, phase } = readSettings(room.docs.room);
  if (submissions === "locked") return refuse(RefusalReason.Locked);
  if (!phaseAllows(phase, "post")) return refuse(RefusalReason.PhaseForbids);
  return null;
}

function ownedNote(room: Room, participantHash: string, id: string): Result<NoteRecord> {
  if (room.unusable) return refuse(RefusalReason.StorageUnavailable);
  const owner = room.ledger.ownerOf(id);
  if (owner === undefined) return refuse(RefusalReason.NoSuchNote);
  if (owner !== participantHash) return refuse(RefusalReason.NotYours);
  const closed = postingClosed(room);
  if (closed) return closed;
  const found = findNote(room.docs, id);
  if (!found) return refuse(RefusalReason.NoSuchNote);
  return accept(found.record);
}

export async function editNote(
  room: Room,
  participantHash: string,
  draft: NoteDraft,
  now = Date.now(),
): Promise<Result<MyNote>> {
  const current = ownedNote(room, participantHash, draft.id);
  if (!current.ok) return current;
  const checked = checkDraft(room, draft);
  if (!checked.ok) return checked;
  const controlled = readSettings(room.docs.room).moderation === "controlled";
  const note = current.value;
  // In controlled mode an edited note is approved again: approval was for the old text.
  // An edit that brings in a name or a number goes back to the facilitator too (rule P4);
  // one the facilitator already let through (approved as is) does not take the note off the wall again.
  const status: NoteStatus =
    note.status === "visible" && (controlled || bringsNewDetail(note.text, checked.value.text))
      ? "pending"
      : note.status;
  const record = { ...note, ...checked.value, status, updatedAt: now };
  return asMyNote(room, draft.id, await room.commit({ edit: (docs) => putNote(docs, record, Origin.phone) }));
}

export async function withdrawNote(room: Room, participantHash: string, id: string): Promise<Result<MyNote>> {
  const current = ownedNote(room, participantHash, id);
  if (!current.ok) return current;
  const name = docForStatus(current.value.status);
  const committed = await room.commit({
    edit: (docs) => docs[name].transact(() => notesMap(docs[name]).delete(id), Origin.phone),
  });
  return asMyNote(room, id, committed);
}

/** Whether an edit adds a sure detail that the text before it did not hold. */
function bringsNewDetail(before: string, after: string): boolean {
  const known = new Set(identifyingDetails(before).map((f) => f.text));
  return identifyingDetails(after).some((f) => f.confidence === "sure" && !known.has(f.text));
}

/** Whether a text names someone or something that identifies them for sure: the room must not see it yet. */
export function holdsBack(text: string): boolean {
  return identifyingDetails(text).some((flag) => flag.confidence === "sure");
}

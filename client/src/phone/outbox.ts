import type { MyNote, NoteDraft, PhoneOperation } from "@atelier/shared/wire/protocol";

/**
 * What the phone still has to tell the relay, and what it knows of its own
 * notes, kept in localStorage so that a reload, a closed tab or a dead
 * battery loses nothing. One store per board (join code).
 */
export type PendingOp = { op: "submit" | "edit"; draft: NoteDraft } | { op: "withdraw"; draft: { id: string } };

export type LocalNoteState = MyNote["state"] | "outbox" | "refused";

export interface LocalNote extends Omit<MyNote, "state"> {
  state: LocalNoteState;
  /** The relay's refusal reason, when state is "refused". */
  reason?: string;
}

interface Saved {
  pending: PendingOp[];
  notes: LocalNote[];
}

export class Outbox {
  private data: Saved;

  constructor(
    private readonly storage: Pick<Storage, "getItem" | "setItem">,
    private readonly key: string,
  ) {
    this.data = this.load();
  }

  private load(): Saved {
    try {
      const raw = this.storage.getItem(this.key);
      const parsed = raw ? (JSON.parse(raw) as Saved) : null;
      if (parsed && Array.isArray(parsed.pending) && Array.isArray(parsed.notes)) return parsed;
    } catch {
      // A corrupt entry is dropped rather than breaking the page.
    }
    return { pending: [], notes: [] };
  }

  private save(): void {
    this.storage.setItem(this.key, JSON.stringify(this.data));
  }

  get pending(): readonly PendingOp[] {
    return this.data.pending;
  }

  /** My notes, newest first. */
  get notes(): readonly LocalNote[] {
    return [...this.data.notes].sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Queues an operation; for a submit or edit the note shows as waiting at once. */
  add(op: PendingOp, now = Date.now()): void {
    // A later edit of the same note replaces an earlier unsent one.
    this.data.pending = this.data.pending.filter(
      (p) => !(p.draft.id === op.draft.id && p.op === op.op && op.op === "edit"),
    );
    this.data.pending.push(op);
    if (op.op !== "withdraw") {
      const existing = this.data.notes.find((n) => n.id === op.draft.id);
      const note: LocalNote = { ...op.draft, createdAt: existing?.createdAt ?? now, state: "outbox" };
      this.upsert(note);
    } else {
      const existing = this.data.notes.find((n) => n.id === op.draft.id);
      if (existing) this.upsert({ ...existing, state: "outbox" });
    }
    this.save();
  }

  /** The relay stored it: drop the operation, take the relay's view of the note. */
  acknowledged(op: PhoneOperation, note: MyNote): void {
    const index = this.data.pending.findIndex((p) => p.op === op && p.draft.id === note.id);
    if (index >= 0) this.data.pending.splice(index, 1);
    if (!this.data.pending.some((p) => p.draft.id === note.id)) this.upsert(note);
    this.save();
  }

  /** A final refusal: the operation is dropped and the note says why. */
  refused(op: PhoneOperation, id: string, reason: string): void {
    const index = this.data.pending.findIndex((p) => p.op === op && p.draft.id === id);
    if (index >= 0) this.data.pending.splice(index, 1);
    const note = this.data.notes.find((n) => n.id === id);
    if (note && op === "submit") this.upsert({ ...note, state: "refused", reason });
    else if (note) this.upsert({ ...note, state: note.state === "outbox" ? "shown" : note.state });
    this.save();
  }

  /** The relay's list of my notes (on connect) or one note's news. */
  merge(notes: MyNote[]): void {
    for (const note of notes) {
      if (this.data.pending.some((p) => p.draft.id === note.id)) continue;
      this.upsert(note);
    }
    this.save();
  }

  private upsert(note: LocalNote): void {
    const index = this.data.notes.findIndex((n) => n.id === note.id);
    if (index >= 0) this.data.notes[index] = note;
    else this.data.notes.push(note);
  }
}

import type { Role } from "@atelier/shared/wire/roles";
import * as Y from "yjs";
import { Awareness } from "y-protocols/awareness";
import { DOC_NAMES, notesMap, readSettings, ROOM, type DocName } from "@atelier/shared/document/docLayout";
import { Origin } from "@atelier/shared/document/origins";
import { CloseCode } from "@atelier/shared/wire/closeCodes";
import { LIMITS } from "@atelier/shared/wire/limits";
import { RefusalReason } from "@atelier/shared/wire/protocol";
import type { ParticipantRow, ParticipantState, SnapshotImage, SnapshotRecord, Storage } from "../storage/storage.ts";
import { TokenBucket } from "../guards/rateLimit.ts";
import { Ledger } from "./ledger.ts";
import { accept, refuse, type Result } from "./result.ts";
import { newSnapshotId } from "./tokens.ts";
import { StageTimings } from "./stageTimings.ts";

export type BoardDocs = Readonly<Record<DocName, Y.Doc>>;

/** A connection attached to a room: a board screen or a phone. */
export interface RoomMember {
  /** The link it came in with: revoking that link closes it. */
  readonly role: Role;
  /** A committed change of one of the board's documents. */
  deliverUpdate(doc: DocName, update: Uint8Array, origin: unknown): void;
  /** What phones are shown may have changed: settings, what can be voted on, totals. */
  phoneViewChanged(): void;
  close(code: number, reason: string): void;
}

/** One change to a board: what it writes to the documents and the rows it stores beside them. */
export interface RoomChange {
  /** Stored in the same transaction as the documents' updates (who wrote a note, dots, flags). */
  rows?: ParticipantRow[];
  /** Changes the documents, synchronously; the transaction's origin tells members who made it. */
  edit?: (docs: BoardDocs) => void;
}

export interface RoomOptions {
  compactAfter: number;
  idleUnloadMs: number;
  /** While the board changes, an automatic snapshot this often (0: never). */
  autoSnapshotMs: number;
  log: (message: string) => void;
  /** Set: where each document update's time goes is logged (ATELIER_STAGE_TIMINGS=1). */
  timings?: StageTimings | null;
  /** Run once a board is loaded (and migrated): stages above rooms/ keep their invariants from here. */
  onLoad?: (room: Room) => void;
}

export interface LoadedBoard {
  docs: Record<DocName, Y.Doc>;
  logLength: Record<DocName, number>;
  owners: Map<string, string>;
  participants: ParticipantState;
}

/**
 * One board loaded in memory: its two documents, the awareness of its
 * screens, the ledger of its participants, and the connections attached.
 *
 * `commit` is the only way to change a board (rule D1): the change is
 * applied and its storage rows enqueued in the same turn, so they share one
 * transaction, and it resolves only once that transaction is on disk.
 * Members hear of a document update only after it is committed.
 */
export class Room {
  /** Cursors and cameras of the screens syncing the `room` document. */
  readonly awareness: Awareness;
  private readonly documents: Record<DocName, Y.Doc>;
  private readonly book: Ledger;
  /** Per participant, so that reconnecting does not refill the bucket. */
  private readonly noteBuckets = new Map<string, TokenBucket>();
  private readonly members = new Set<RoomMember>();
  private readonly logLength: Record<DocName, number>;
  /** Bytes logged since load or the last compaction: the document's size, give or take. */
  private readonly logBytes: Record<DocName, number> = { room: 0, inbox: 0 };
  /** Each document encoded whole, kept until it next changes (see `fullState`). */
  private readonly encodedState: Record<DocName, Uint8Array | null> = { room: null, inbox: null };
  private readonly noteListeners = new Set<(noteId: string) => void>();
  private idleTimer: NodeJS.Timeout | null = null;
  private compactScheduled = new Set<DocName>();
  private changedSinceSnapshot = false;
  private snapshotTimer: NodeJS.Timeout | null = null;
  private phoneViewScheduled = false;
  private isClosed = false;
  private failed = false;

  constructor(
    readonly boardId: string,
    private readonly storage: Storage,
    private readonly options: RoomOptions,
    loaded: LoadedBoard,
    private readonly onClosed: (room: Room) => void,
  ) {
    this.documents = loaded.docs;
    this.logLength = loaded.logLength;
    this.book = new Ledger(loaded.owners, loaded.participants);
    this.awareness = new Awareness(this.documents.room);
    // The relay has no presence of its own.
    this.awareness.setLocalState(null);
    for (const name of DOC_NAMES) this.watch(name);
    this.watchPhoneView();
    for (const name of DOC_NAMES) {
      if (this.logLength[name] > options.compactAfter) this.compact(name);
    }
    this.armIdleTimer();
    if (options.autoSnapshotMs > 0) {
      this.snapshotTimer = setInterval(() => void this.autoSnapshot(), options.autoSnapshotMs);
      this.snapshotTimer.unref();
    }
  }

  /** The documents, to read. Writing them outside `commit` is a bug. */
  get docs(): BoardDocs {
    return this.documents;
  }

  /** Who wrote which note, dots and flags: read here, changed through `commit` rows. */
  get ledger(): Omit<Ledger, "apply"> {
    return this.book;
  }

  /** Set when the relay logs stage timings; members record their own stage. */
  get timings(): StageTimings | null {
    return this.options.timings ?? null;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** No change may be applied any more (closed, or its storage failed). */
  get unusable(): boolean {
    return this.isClosed || this.failed;
  }

  /** Size of a document's stored log, to bound what a screen may add. */
  storedBytes(doc: DocName): number {
    return this.logBytes[doc];
  }

  async commit(change: RoomChange): Promise<Result> {
    if (this.unusable) return refuse(RefusalReason.StorageUnavailable);
    const rows = change.rows ?? [];
    // The edit may read the ledger with its rows (a flag count); nothing is stored unless
    // the edit integrates, and a failed edit drops this in-memory ledger with the room.
    for (const row of rows) this.book.apply(row);
    if (change.edit && !this.integrate(change.edit)) return refuse(RefusalReason.BadMessage);
    for (const row of rows) {
      // Its failure is the whole commit's: it surfaces through `whenCommitted` below.
      this.storage.enqueue({ ...row, boardId: this.boardId }).catch(noop);
    }
    try {
      await this.storage.whenCommitted();
    } catch (error) {
      this.fail(error);
      return refuse(RefusalReason.StorageUnavailable);
    }
    return this.unusable ? refuse(RefusalReason.StorageUnavailable) : accept(undefined);
  }

  /**
   * Applies an edit; one that throws or leaves structs waiting for content
   * we lack means the checks before it missed a case. The in-memory state is
   * then dropped and every screen resyncs from disk, where only integrated
   * changes were written.
   */
  private integrate(edit: (docs: BoardDocs) => void): boolean {
    let broken = false;
    const started = StageTimings.now();
    try {
      edit(this.documents);
    } catch {
      broken = true;
    }
    this.timings?.record("apply", started);
    broken ||= DOC_NAMES.some(
      (name) => this.documents[name].store.pendingStructs || this.documents[name].store.pendingDs,
    );
    if (broken) {
      this.options.log(`board ${this.boardId}: a change could not be integrated; reloading the board`);
      this.shutDown(CloseCode.Resync, "resync");
    }
    return !broken;
  }

  /** Both documents as committed now: what snapshots and live exports read. */
  async committedStates(): Promise<Record<DocName, Uint8Array>> {
    await this.storage.whenCommitted();
    return { room: this.fullState("room"), inbox: this.fullState("inbox") };
  }

  /**
   * The whole document as one update, encoded once until it next changes:
   * every screen opening the board (sync step 2 to an empty page), snapshots,
   * exports and compaction share the same bytes. A 1,000-note board takes
   * 5 to 40 ms to encode here, on the path of each page load.
   */
  fullState(name: DocName): Uint8Array {
    return (this.encodedState[name] ??= Y.encodeStateAsUpdate(this.documents[name]));
  }

  /** An immutable copy of both documents as committed now, with the board images given. */
  async takeSnapshot(
    name: string,
    kind: SnapshotRecord["kind"],
    images: SnapshotImage[] = [],
    now = Date.now(),
  ): Promise<SnapshotRecord> {
    const states = await this.committedStates();
    const snapshot: SnapshotRecord = { id: newSnapshotId(), boardId: this.boardId, name, kind, createdAt: now };
    await this.storage.addSnapshot(snapshot, states, images);
    return { ...snapshot, images: images.map((i) => i.format) };
  }

  private async autoSnapshot(): Promise<void> {
    if (!this.changedSinceSnapshot || this.isClosed) return;
    this.changedSinceSnapshot = false;
    await this.takeSnapshot("", "auto").catch((error: unknown) =>
      this.options.log(`board ${this.boardId}: automatic snapshot failed: ${String(error)}`),
    );
  }

  private watch(name: DocName): void {
    const doc = this.documents[name];
    doc.on("update", (update: Uint8Array, origin: unknown) => {
      this.encodedState[name] = null;
      if (origin === Origin.load || this.isClosed) return;
      this.logLength[name]++;
      this.logBytes[name] += update.length;
      this.changedSinceSnapshot = true;
      const enqueued = StageTimings.now();
      const committed = this.storage.enqueue({ type: "update", boardId: this.boardId, doc: name, update });
      if (this.logLength[name] > this.options.compactAfter) this.compact(name);
      committed.then(
        () => {
          const sending = StageTimings.now();
          this.timings?.record("commit", enqueued);
          for (const m of this.members) m.deliverUpdate(name, update, origin);
          this.timings?.record("broadcast", sending);
        },
        (error: unknown) => this.fail(error),
      );
    });
    notesMap(doc).observe((event) => {
      const changed = [...event.keysChanged];
      // Phones learn about their notes once the change is on disk.
      this.storage.whenCommitted().then(() => {
        for (const id of changed) for (const listener of this.noteListeners) listener(id);
      }, noop);
    });
  }

  /** Phones are shown settings, vote totals and what can be voted on (notes or themes). */
  private watchPhoneView(): void {
    const room = this.documents.room;
    for (const key of [ROOM.settings, ROOM.votes] as const) room.getMap(key).observe(() => this.phoneViewChangedSoon());
    room.getArray(ROOM.canvas).observe(() => {
      if (readSettings(room).vote.target === "themes") this.phoneViewChangedSoon();
    });
    notesMap(room).observe(() => {
      if (readSettings(room).phase === "vote") this.phoneViewChangedSoon();
    });
  }

  /** One message per phone per turn, however many changes the turn made. */
  private phoneViewChangedSoon(): void {
    if (this.phoneViewScheduled) return;
    this.phoneViewScheduled = true;
    setImmediate(() => {
      this.phoneViewScheduled = false;
      if (!this.isClosed) for (const m of this.members) m.phoneViewChanged();
    });
  }

  /** Replaces the document's log with one state update (rule D3). */
  compact(name: DocName): void {
    if (this.compactScheduled.has(name)) return;
    this.compactScheduled.add(name);
    // After the current transaction: the state then holds every update enqueued before it.
    queueMicrotask(() => {
      this.compactScheduled.delete(name);
      if (this.isClosed) return;
      const state = this.fullState(name);
      this.logLength[name] = 1;
      this.logBytes[name] = state.length;
      this.storage
        .enqueue({ type: "compact", boardId: this.boardId, doc: name, state })
        .catch((error: unknown) => this.fail(error));
    });
  }

  join(member: RoomMember): void {
    this.members.add(member);
    this.disarmIdleTimer();
  }

  leave(member: RoomMember): void {
    this.members.delete(member);
    if (this.members.size === 0) this.armIdleTimer();
  }

  get memberCount(): number {
    return this.members.size;
  }

  onNoteChanged(listener: (noteId: string) => void): () => void {
    this.noteListeners.add(listener);
    return () => this.noteListeners.delete(listener);
  }

  noteBucket(participantHash: string): TokenBucket {
    let bucket = this.noteBuckets.get(participantHash);
    if (!bucket) {
      bucket = new TokenBucket(LIMITS.noteBurst, LIMITS.noteRefillMs);
      this.noteBuckets.set(participantHash, bucket);
    }
    return bucket;
  }

  private armIdleTimer(): void {
    this.disarmIdleTimer();
    this.idleTimer = setTimeout(() => void this.unload(), this.options.idleUnloadMs);
    this.idleTimer.unref();
  }

  private disarmIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  /** Compacts what grew since load, then frees the memory. */
  async unload(): Promise<void> {
    if (this.isClosed) return;
    for (const name of DOC_NAMES) if (this.logLength[name] > 1) this.compact(name);
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    this.shutDown(CloseCode.GoingAway, "board unloaded");
    await this.storage.whenCommitted().catch(noop);
  }

  /**
   * A failed commit: the in-memory state may now hold what the disk does not.
   * The room is forgotten at once (the next connection reloads from disk) and
   * closed on the next turn, after the refusals of this commit have been sent.
   */
  private fail(error: unknown): void {
    if (this.isClosed || this.failed) return;
    this.failed = true;
    this.options.log(`board ${this.boardId}: storage failed, unloading: ${String(error)}`);
    this.onClosed(this);
    setImmediate(() => this.shutDown(CloseCode.StorageUnavailable, "storage unavailable"));
  }

  /** A link was revoked: its open sockets stop working at once, the board stays loaded for the others. */
  closeRole(role: Role, code: number, reason: string): void {
    for (const m of [...this.members]) if (m.role === role) m.close(code, reason);
  }

  shutDown(code: number, reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.disarmIdleTimer();
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    this.onClosed(this);
    for (const m of [...this.members]) m.close(code, reason);
    this.members.clear();
    this.awareness.destroy();
    for (const name of DOC_NAMES) this.documents[name].destroy();
  }
}

function noop(): void {}

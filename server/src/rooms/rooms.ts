import * as Y from "yjs";
import { Awareness } from "y-protocols/awareness";
import { DOC_NAMES, INBOX, ROOM, readSettings, type DocName } from "@atelier/shared/document/docLayout";
import { Origin } from "@atelier/shared/document/origins";
import { CloseCode } from "@atelier/shared/wire/closeCodes";
import { LIMITS } from "@atelier/shared/wire/limits";
import type { ParticipantState, Storage } from "../storage/storage.ts";
import { TokenBucket } from "../guards/rateLimit.ts";
import { takeSnapshot } from "../archive/snapshots.ts";

/** A connection attached to a room: a board screen or a phone. */
export interface RoomMember {
  /** A committed change of one of the board's documents. */
  deliverUpdate(doc: DocName, update: Uint8Array, origin: unknown): void;
  /** Settings changed (submissions locked, moderation mode…). */
  settingsChanged(): void;
  close(code: number, reason: string): void;
}

export interface RoomOptions {
  compactAfter: number;
  idleUnloadMs: number;
  /** While the board changes, an automatic snapshot this often (0: never). */
  autoSnapshotMs: number;
  log: (message: string) => void;
}

/**
 * One board loaded in memory: its two documents, the awareness of its
 * screens, who owns which note, and the connections attached to it.
 *
 * Every change to a document, whatever its origin, goes through the
 * `update` handler below: it is enqueued to storage in the same tick it was
 * applied, and delivered to members only once committed (rule D1).
 */
export class Room {
  readonly docs: Record<DocName, Y.Doc>;
  /** Cursors and cameras of the screens syncing the `room` document. */
  readonly awareness: Awareness;
  /** note id → hash of its participant's secret. Kept out of the documents. */
  readonly owners: Map<string, string>;
  /** Dots and flags per participant hash (anonymous: never in a document). */
  readonly participants: ParticipantState;
  /** Per participant, so that reconnecting does not refill the bucket. */
  private readonly noteBuckets = new Map<string, TokenBucket>();
  private readonly members = new Set<RoomMember>();
  private readonly logLength: Record<DocName, number>;
  /** Bytes logged since load or the last compaction: the document's size, give or take. */
  readonly logBytes: Record<DocName, number> = { room: 0, inbox: 0 };
  private readonly noteListeners = new Set<(noteId: string) => void>();
  private idleTimer: NodeJS.Timeout | null = null;
  private compactScheduled = new Set<DocName>();
  private changedSinceSnapshot = false;
  private snapshotTimer: NodeJS.Timeout | null = null;
  closed = false;
  private failed = false;

  constructor(
    readonly boardId: string,
    private readonly storage: Storage,
    private readonly options: RoomOptions,
    loaded: {
      docs: Record<DocName, Y.Doc>;
      logLength: Record<DocName, number>;
      owners: Map<string, string>;
      participants: ParticipantState;
    },
    private readonly onClosed: (room: Room) => void,
  ) {
    this.docs = loaded.docs;
    this.logLength = loaded.logLength;
    this.owners = loaded.owners;
    this.participants = loaded.participants;
    this.awareness = new Awareness(this.docs.room);
    // The relay has no presence of its own.
    this.awareness.setLocalState(null);
    for (const name of DOC_NAMES) this.watch(name);
    // Phones hear about settings, and about what can be voted on (notes, themes).
    for (const key of [ROOM.settings, ROOM.votes] as const) {
      this.docs.room.getMap(key).observe(() => this.settingsChangedSoon());
    }
    this.docs.room.getArray(ROOM.canvas).observe(() => {
      if (readSettings(this.docs.room).vote.target === "themes") this.settingsChangedSoon();
    });
    this.docs.room.getMap(ROOM.notes).observe(() => {
      if (readSettings(this.docs.room).phase === "vote") this.settingsChangedSoon();
    });
    for (const name of DOC_NAMES) {
      if (this.logLength[name] > options.compactAfter) this.compact(name);
    }
    this.armIdleTimer();
    if (options.autoSnapshotMs > 0) {
      this.snapshotTimer = setInterval(() => void this.autoSnapshot(), options.autoSnapshotMs);
      this.snapshotTimer.unref();
    }
  }

  private settingsScheduled = false;

  /** One `board` message per turn, however many changes the turn made. */
  private settingsChangedSoon(): void {
    if (this.settingsScheduled) return;
    this.settingsScheduled = true;
    setImmediate(() => {
      this.settingsScheduled = false;
      if (!this.closed) for (const m of this.members) m.settingsChanged();
    });
  }

  private async autoSnapshot(): Promise<void> {
    if (!this.changedSinceSnapshot || this.closed) return;
    this.changedSinceSnapshot = false;
    await takeSnapshot(this.storage, this, "", "auto").catch((error: unknown) =>
      this.options.log(`board ${this.boardId}: automatic snapshot failed: ${String(error)}`),
    );
  }

  static async load(
    boardId: string,
    storage: Storage,
    options: RoomOptions,
    onClosed: (room: Room) => void,
  ): Promise<Room> {
    const docs = {} as Record<DocName, Y.Doc>;
    const logLength = {} as Record<DocName, number>;
    for (const name of DOC_NAMES) {
      const doc = new Y.Doc();
      const updates = await storage.loadDoc(boardId, name);
      // One transaction for the whole log; Y.mergeUpdates is far slower on long logs.
      doc.transact(() => {
        for (const update of updates) Y.applyUpdate(doc, update, Origin.load);
      }, Origin.load);
      docs[name] = doc;
      logLength[name] = updates.length;
    }
    const owners = await storage.loadOwners(boardId);
    const participants = await storage.loadParticipants(boardId);
    return new Room(boardId, storage, options, { docs, logLength, owners, participants }, onClosed);
  }

  private watch(name: DocName): void {
    const doc = this.docs[name];
    doc.on("update", (update: Uint8Array, origin: unknown) => {
      if (origin === Origin.load || this.closed) return;
      this.logLength[name]++;
      this.logBytes[name] += update.length;
      this.changedSinceSnapshot = true;
      const committed = this.storage.enqueue({ type: "update", boardId: this.boardId, doc: name, update });
      if (this.logLength[name] > this.options.compactAfter) this.compact(name);
      committed.then(
        () => {
          for (const m of this.members) m.deliverUpdate(name, update, origin);
        },
        (error: unknown) => this.fail(error),
      );
    });
    const notes = doc.getMap(name === "room" ? ROOM.notes : INBOX.notes);
    notes.observe((event) => {
      const changed = [...event.keysChanged];
      // Phones learn about their notes once the change is on disk.
      this.storage.whenCommitted().then(() => {
        for (const id of changed) for (const listener of this.noteListeners) listener(id);
      }, noop);
    });
  }

  /** Replaces the document's log with one state update (rule D3). */
  compact(name: DocName): void {
    if (this.compactScheduled.has(name)) return;
    this.compactScheduled.add(name);
    // After the current transaction: the state then holds every update enqueued before it.
    queueMicrotask(() => {
      this.compactScheduled.delete(name);
      if (this.closed) return;
      const state = Y.encodeStateAsUpdate(this.docs[name]);
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
    if (this.closed) return;
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
    if (this.closed || this.failed) return;
    this.failed = true;
    this.options.log(`board ${this.boardId}: storage failed, unloading: ${String(error)}`);
    this.onClosed(this);
    setImmediate(() => this.shutDown(CloseCode.StorageUnavailable, "storage unavailable"));
  }

  /** No change may be applied any more (closed, or its storage failed). */
  get unusable(): boolean {
    return this.closed || this.failed;
  }

  shutDown(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.disarmIdleTimer();
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    this.onClosed(this);
    for (const m of [...this.members]) m.close(code, reason);
    this.members.clear();
    this.awareness.destroy();
    for (const name of DOC_NAMES) this.docs[name].destroy();
  }
}

function noop(): void {}

export class RoomsFullError extends Error {
  constructor() {
    super("too many boards loaded in this relay");
  }
}

/** The boards loaded in this process, each loaded once on demand. */
export class Rooms {
  private readonly rooms = new Map<string, Promise<Room>>();
  private readonly loaded = new Map<string, Room>();

  constructor(
    private readonly storage: Storage,
    private readonly options: RoomOptions,
    private readonly maxLoaded = LIMITS.maxLoadedBoards,
  ) {}

  open(boardId: string): Promise<Room> {
    const existing = this.rooms.get(boardId);
    if (existing) return existing;
    if (this.rooms.size >= this.maxLoaded) return Promise.reject(new RoomsFullError());
    const room = Room.load(boardId, this.storage, this.options, (closed) => {
      // Synchronously, so the next `open` loads afresh from storage.
      if (this.loaded.get(boardId) === closed) {
        this.loaded.delete(boardId);
        this.rooms.delete(boardId);
      }
    });
    this.rooms.set(boardId, room);
    room.then(
      (r) => this.loaded.set(boardId, r),
      () => this.rooms.delete(boardId),
    );
    return room;
  }

  /** The room if it is in memory, without loading it. */
  peek(boardId: string): Room | undefined {
    return this.loaded.get(boardId);
  }

  get size(): number {
    return this.rooms.size;
  }

  async closeAll(code: number, reason: string): Promise<void> {
    await Promise.allSettled(this.rooms.values());
    for (const room of [...this.loaded.values()]) room.shutDown(code, reason);
  }
}

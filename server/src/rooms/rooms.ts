import * as Y from "yjs";
import { DOC_NAMES, type DocName } from "@atelier/shared/document/docLayout";
import { Origin } from "@atelier/shared/document/origins";
import { migrateLayout, migrationsFor } from "@atelier/shared/document/layoutMigrations";
import { CloseCode } from "@atelier/shared/wire/closeCodes";
import { LIMITS } from "@atelier/shared/wire/limits";
import type { Role } from "@atelier/shared/wire/roles";
import type { Storage } from "../storage/storage.ts";
import { Room, type LoadedBoard, type RoomOptions } from "./room.ts";

export class RoomsFullError extends Error {
  constructor() {
    super("too many boards loaded in this relay");
  }
}

/** The board is owned by another live relay (rule D7): forward to it. */
export class OwnedElsewhereError extends Error {
  constructor(readonly url: string) {
    super("board owned by another relay");
  }
}

/** Reads a board from storage: its documents' logs replayed, and its participants' ledger. */
export async function loadBoard(storage: Storage, boardId: string): Promise<LoadedBoard> {
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
  return { docs, logLength, owners, participants };
}

/** Both documents of a board that no room of this process holds, as stored. */
export async function storedStates(storage: Storage, boardId: string): Promise<Record<DocName, Uint8Array> | null> {
  if (!(await storage.getBoard(boardId))) return null;
  const { docs } = await loadBoard(storage, boardId);
  const states = { room: Y.encodeStateAsUpdate(docs.room), inbox: Y.encodeStateAsUpdate(docs.inbox) };
  for (const name of DOC_NAMES) docs[name].destroy();
  return states;
}

/** The boards loaded in this process, each loaded once on demand. */
export class Rooms {
  private readonly rooms = new Map<string, Promise<Room>>();
  private readonly loaded = new Map<string, Room>();

  constructor(
    private readonly storage: Storage,
    private readonly options: RoomOptions,
    private readonly maxLoaded = LIMITS.maxLoadedBoards,
  ) {
    // Fenced, or the commit session ended: another relay may own these now. Screens and
    // phones reconnect (transient code) and reach the owner through any relay.
    storage.onOwnershipLost((boardIds) => {
      for (const id of boardIds) this.peek(id)?.shutDown(CloseCode.StorageUnavailable, "board moved");
    });
    // What another relay did that open sockets here must feel at once.
    storage.onControl((event) => {
      switch (event.type) {
        case "board-deleted":
          this.peek(event.boardId)?.shutDown(CloseCode.UnknownBoard, "board deleted");
          return;
        case "link-revoked":
          this.peek(event.boardId)?.closeRole(event.role, CloseCode.Unauthorized, "link revoked");
          return;
        default: {
          const never: never = event;
          throw new Error(`unknown control event ${JSON.stringify(never)}`);
        }
      }
    });
  }

  open(boardId: string): Promise<Room> {
    const existing = this.rooms.get(boardId);
    if (existing) return existing;
    if (this.rooms.size >= this.maxLoaded) return Promise.reject(new RoomsFullError());
    const room = this.claim(boardId).then(async (loaded) => {
      // Read before the room exists: a board saved by a newer relay is refused, not rewritten.
      const migrations = migrationsFor(loaded.docs.room);
      const room = new Room(boardId, this.storage, this.options, loaded, (closed) => {
        // Synchronously, so the next `open` loads afresh from storage.
        if (this.loaded.get(boardId) === closed) {
          this.loaded.delete(boardId);
          this.rooms.delete(boardId);
          this.releaseWhenIdle(boardId);
        }
      });
      if (migrations.length > 0) {
        const migrated = await room.commit({
          edit: (docs) => docs.room.transact(() => migrateLayout(docs.room, migrations), Origin.migration),
        });
        if (!migrated.ok) room.shutDown(CloseCode.StorageUnavailable, "storage unavailable");
        if (!migrated.ok) throw new Error(`board ${boardId}: layout migration not stored (${migrated.reason})`);
        this.options.log(`board ${boardId}: ${migrations.map((m) => m.name).join(", ")}`);
      }
      this.options.onLoad?.(room);
      return room;
    });
    this.rooms.set(boardId, room);
    room.then(
      (r) => this.loaded.set(boardId, r),
      () => {
        this.rooms.delete(boardId);
        this.releaseWhenIdle(boardId);
      },
    );
    return room;
  }

  /** Owns the board (rule D7), then reads it: never load what another relay may be writing. */
  private async claim(boardId: string): Promise<LoadedBoard> {
    const claim = await this.storage.claim(boardId);
    if (claim.owner === "other") throw new OwnedElsewhereError(claim.url);
    return loadBoard(this.storage, boardId);
  }

  /** After its last commits, unless the board was opened again meanwhile. */
  private releaseWhenIdle(boardId: string): void {
    void this.storage
      .whenCommitted()
      .catch(() => undefined)
      .then(() => {
        if (!this.rooms.has(boardId)) return this.storage.release(boardId);
      })
      .catch(() => undefined);
  }

  /** The room if it is in memory, without loading it. */
  peek(boardId: string): Room | undefined {
    return this.loaded.get(boardId);
  }

  get size(): number {
    return this.rooms.size;
  }

  /** The committed state of a board now, from its room if loaded, else from storage. */
  async liveStates(boardId: string): Promise<Record<DocName, Uint8Array> | null> {
    const room = this.peek(boardId);
    if (room && !room.unusable) return room.committedStates();
    return storedStates(this.storage, boardId);
  }

  /** Closes the board's connections and removes every trace of it (rule D6). */
  async deleteBoard(boardId: string): Promise<void> {
    this.peek(boardId)?.shutDown(CloseCode.UnknownBoard, "board deleted");
    await this.storage.deleteBoard(boardId);
    await this.storage.announce({ type: "board-deleted", boardId });
  }

  /** A link was revoked: its sockets close here, and on the relay owning the board. */
  async linkRevoked(boardId: string, role: Role): Promise<void> {
    this.peek(boardId)?.closeRole(role, CloseCode.Unauthorized, "link revoked");
    await this.storage.announce({ type: "link-revoked", boardId, role });
  }

  async closeAll(code: number, reason: string): Promise<void> {
    await Promise.allSettled(this.rooms.values());
    for (const room of [...this.loaded.values()]) room.shutDown(code, reason);
  }
}

import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import type { Role } from "@atelier/shared/wire/roles";
import type { BoardRecord, SnapshotImage, SnapshotRecord, Storage } from "./storage.ts";
import { describeSeriesContract } from "./seriesContract.ts";

/** How a contract run gets at one implementation of `Storage`. */
export interface StorageHarness {
  /** A fresh, empty store. */
  open(): Promise<Storage>;
  /** A second handle on the same store, after closing `s`. */
  reopen(s: Storage): Promise<Storage>;
  /** Makes the next commits fail, until `heal`. */
  fault(s: Storage): void | Promise<void>;
  heal(s: Storage): void | Promise<void>;
}

const DAY = 86_400_000;
let counter = 0;

/** A board record with ids unique within the run (join codes must be unique per store). */
function boardRecord(createdAt = 1_700_000_000_000): BoardRecord {
  counter++;
  return {
    id: `board-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    joinCode: `J${String(counter).padStart(5, "0")}`,
    title: `Board ${counter}`,
    createdAt,
    seriesId: null,
    lastActivityAt: createdAt,
  };
}

function links(board: BoardRecord): { tokenHash: string; role: Role }[] {
  return (["facilitator", "projector", "participant", "coordinator"] as const).map((role) => ({
    role,
    tokenHash: `${board.id}-${role}-hash`,
  }));
}

/** A Yjs update setting `key` to `value` in map "m" of a doc that already holds `base`. */
function mapUpdate(base: Uint8Array[], key: string, value: string): Uint8Array {
  const doc = new Y.Doc();
  for (const u of base) Y.applyUpdate(doc, u);
  const before = Y.encodeStateVector(doc);
  doc.getMap("m").set(key, value);
  return Y.encodeStateAsUpdate(doc, before);
}

function mapOf(updates: Uint8Array[]): Record<string, unknown> {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc.getMap("m").toJSON();
}

function bytes(...values: number[]): Uint8Array {
  return new Uint8Array(values);
}

/**
 * What every `Storage` must do, whatever it stores into (SQLite today, a
 * shared database later). Run it with `describeStorageContract(name, harness)`
 * from the implementation's own test file. Nothing here depends on SQLite.
 */
export function describeStorageContract(name: string, harness: StorageHarness): void {
  describeSeriesContract(name, harness);
  describe(`Storage contract: ${name}`, () => {
    let handles: Storage[] = [];

    afterEach(async () => {
      for (const s of handles) {
        await harness.heal(s);
        await s.close().catch(() => undefined);
      }
      handles = [];
    });

    async function open(): Promise<Storage> {
      const s = await harness.open();
      handles.push(s);
      return s;
    }

    async function reopen(s: Storage): Promise<Storage> {
      const again = await harness.reopen(s);
      handles.push(again);
      return again;
    }

    async function withBoard(s: Storage, createdAt?: number): Promise<{ board: BoardRecord; initial: Uint8Array }> {
      const board = boardRecord(createdAt);
      const initial = mapUpdate([], "title", board.title);
      await s.createBoard(board, links(board), { room: initial });
      // Rule D7: ops are committed for boards the store owns.
      expect(await s.claim(board.id)).toEqual({ owner: "self" });
      return { board, initial };
    }

    describe("createBoard", () => {
      it("stores the board, its links and its first state", async () => {
        const s = await open();
        const { board, initial } = await withBoard(s);
        const t = await reopen(s);
        expect(await t.getBoard(board.id)).toEqual(board);
        expect(await t.findBoardByJoinCode(board.joinCode)).toEqual(board);
        expect(await t.findLink(`${board.id}-coordinator-hash`)).toEqual({
          boardId: board.id,
          role: "coordinator",
          revoked: false,
        });
        expect(await t.loadDoc(board.id, "room")).toEqual([initial]);
        expect(await t.loadDoc(board.id, "inbox")).toEqual([]);
        expect((await t.listBoards()).map((b) => b.id)).toContain(board.id);
      });

      it("is atomic: a board whose links cannot be stored leaves nothing behind", async () => {
        const s = await open();
        const board = boardRecord();
        const duplicate = [
          { role: "facilitator" as const, tokenHash: `${board.id}-same` },
          { role: "projector" as const, tokenHash: `${board.id}-same` },
        ];
        await expect(s.createBoard(board, duplicate, { room: bytes(0, 0) })).rejects.toThrow();
        expect(await s.getBoard(board.id)).toBeNull();
        expect(await s.findBoardByJoinCode(board.joinCode)).toBeNull();
        expect(await s.findLink(`${board.id}-same`)).toBeNull();
        expect(await s.loadDoc(board.id, "room")).toEqual([]);
      });

      it("refuses a second board with the same join code", async () => {
        const s = await open();
        const { board } = await withBoard(s);
        const other = { ...boardRecord(), joinCode: board.joinCode };
        await expect(s.createBoard(other, links(other), {})).rejects.toThrow();
        expect(await s.getBoard(other.id)).toBeNull();
        expect(await s.findLink(`${other.id}-facilitator-hash`)).toBeNull();
      });
    });

    describe("[D7] ownership", () => {
      it("a store owns what it claims, gives it up on release, and a new handle may claim it", async () => {
        const s = await open();
        const { board } = await withBoard(s);
        expect(await s.ownerElsewhere(board.id)).toBeNull();
        expect(await s.claim(board.id)).toEqual({ owner: "self" });
        await s.release(board.id);
        expect(await s.claim(board.id)).toEqual({ owner: "self" });
        await s.enqueue({ type: "flag", boardId: board.id, participantHash: "p-1", flag: "done" });
        const t = await reopen(s);
        expect(await t.ownerElsewhere(board.id)).toBeNull();
        expect(await t.claim(board.id)).toEqual({ owner: "self" });
        await t.enqueue({ type: "owner", boardId: board.id, noteId: "note-1", participantHash: "p-1" });
        expect(await t.loadOwners(board.id)).toEqual(new Map([["note-1", "p-1"]]));
      });
    });

    describe("enqueue and whenCommitted", () => {
      it("[D1] an enqueued op is durable once its promise resolves: a new handle sees it", async () => {
        const s = await open();
        const { board, initial } = await withBoard(s);
        const update = mapUpdate([initial], "a", "1");
        await s.enqueue({ type: "update", boardId: board.id, doc: "room", update });
        await s.enqueue({ type: "owner", boardId: board.id, noteId: "note-1", participantHash: "p-1" });
        await s.enqueue({ type: "vote", boardId: board.id, participantHash: "p-1", targetId: "note-1", count: 2 });
        await s.enqueue({ type: "flag", boardId: board.id, participantHash: "p-1", flag: "done" });
        const t = await reopen(s);
        expect(await t.loadDoc(board.id, "room")).toEqual([initial, update]);
        expect(await t.loadOwners(board.id)).toEqual(new Map([["note-1", "p-1"]]));
        const participants = await t.loadParticipants(board.id);
        expect(participants.votes).toEqual(new Map([["p-1", new Map([["note-1", 2]])]]));
        expect(participants.flags).toEqual(new Map([["done", new Set(["p-1"])]]));
      });

      it("[D1] whenCommitted resolves after every op enqueued before it is stored", async () => {
        const s = await open();
        const { board, initial } = await withBoard(s);
        const update = mapUpdate([initial], "a", "1");
        void s.enqueue({ type: "update", boardId: board.id, doc: "inbox", update });
        await s.whenCommitted();
        expect(await s.loadDoc(board.id, "inbox")).toEqual([update]);
        // Nothing pending: resolves at once.
        await s.whenCommitted();
      });

      it("[D2] ops enqueued in one turn share one commit: all are visible once the first resolves", async () => {
        const s = await open();
        const { board, initial } = await withBoard(s);
        const u1 = mapUpdate([initial], "a", "1");
        const u2 = mapUpdate([initial, u1], "b", "2");
        const first = s.enqueue({ type: "update", boardId: board.id, doc: "room", update: u1 });
        const second = s.enqueue({ type: "update", boardId: board.id, doc: "room", update: u2 });
        const third = s.enqueue({ type: "owner", boardId: board.id, noteId: "note-9", participantHash: "p-9" });
        await first;
        expect(await s.loadDoc(board.id, "room")).toEqual([initial, u1, u2]);
        expect((await s.loadOwners(board.id)).get("note-9")).toBe("p-9");
        await Promise.all([second, third]);
      });

      it("keeps ops in order, and a vote of 0 removes the participant's row", async () => {
        const s = await open();
        const { board } = await withBoard(s);
        const vote = (count: number) =>
          s.enqueue({ type: "vote", boardId: board.id, participantHash: "p-1", targetId: "t", count });
        void vote(1);
        void vote(3);
        await vote(2);
        expect((await s.loadParticipants(board.id)).votes.get("p-1")?.get("t")).toBe(2);
        await vote(0);
        expect((await s.loadParticipants(board.id)).votes.get("p-1")?.get("t")).toBeUndefined();
      });

      it("stores a note's first owner only", async () => {
        const s = await open();
        const { board } = await withBoard(s);
        await s.enqueue({ type: "owner", boardId: board.id, noteId: "note-1", participantHash: "p-1" });
        await s.enqueue({ type: "owner", boardId: board.id, noteId: "note-1", participantHash: "p-2" });
        expect(await s.loadOwners(board.id)).toEqual(new Map([["note-1", "p-1"]]));
      });
    });

    it("[D3] compaction replaces the log by one update, and loading gives the same state", async () => {
      const s = await open();
      const { board, initial } = await withBoard(s);
      const log = [initial];
      for (let i = 0; i < 5; i++) {
        const u = mapUpdate(log, `k${i}`, `v${i}`);
        log.push(u);
        await s.enqueue({ type: "update", boardId: board.id, doc: "room", update: u });
      }
      const before = mapOf(await s.loadDoc(board.id, "room"));
      const state = Y.mergeUpdates(log);
      const after = mapUpdate(log, "late", "after compaction");
      // In one turn: the compaction, then an update after it, in that order.
      void s.enqueue({ type: "compact", boardId: board.id, doc: "room", state });
      await s.enqueue({ type: "update", boardId: board.id, doc: "room", update: after });
      const t = await reopen(s);
      const stored = await t.loadDoc(board.id, "room");
      expect(stored).toEqual([state, after]);
      expect(mapOf(stored)).toEqual({ ...before, late: "after compaction" });
      // The other document is untouched.
      expect(await t.loadDoc(board.id, "inbox")).toEqual([]);
    });

    describe("snapshots", () => {
      const image: SnapshotImage = { format: "png", data: bytes(137, 80, 78, 71), width: 640, height: 360 };
      const svg: SnapshotImage = { format: "svg", data: new TextEncoder().encode("<svg/>"), width: 10, height: 5 };

      it("[D5] returns the bytes it was given, with its images, after reopen", async () => {
        const s = await open();
        const { board } = await withBoard(s);
        const room = bytes(1, 2, 3);
        const inbox = bytes(4, 5);
        const snapshot: SnapshotRecord = {
          id: `${board.id}-s1`,
          boardId: board.id,
          name: "Midi",
          kind: "named",
          createdAt: 5,
        };
        await s.addSnapshot(snapshot, { room, inbox }, [image, svg]);
        // Mutating what was passed in changes nothing stored.
        room[0] = 99;
        const t = await reopen(s);
        expect(await t.getSnapshotStates(board.id, snapshot.id)).toEqual({ room: bytes(1, 2, 3), inbox: bytes(4, 5) });
        expect(await t.getSnapshotImage(board.id, snapshot.id, "png")).toEqual(image);
        expect(await t.getSnapshotImage(board.id, snapshot.id, "svg")).toEqual(svg);
        const [listed, ...rest] = await t.listSnapshots(board.id);
        expect(rest).toEqual([]);
        expect({ ...listed, images: [...(listed?.images ?? [])].sort() }).toEqual({
          ...snapshot,
          images: ["png", "svg"],
        });
      });

      it("[D5] is immutable: a second snapshot with the same id is refused and the first is kept", async () => {
        const s = await open();
        const { board } = await withBoard(s);
        const snapshot: SnapshotRecord = {
          id: `${board.id}-s1`,
          boardId: board.id,
          name: "",
          kind: "auto",
          createdAt: 1,
        };
        await s.addSnapshot(snapshot, { room: bytes(1), inbox: bytes(2) });
        await expect(
          s.addSnapshot({ ...snapshot, name: "other" }, { room: bytes(7), inbox: bytes(8) }),
        ).rejects.toThrow();
        expect(await s.getSnapshotStates(board.id, snapshot.id)).toEqual({ room: bytes(1), inbox: bytes(2) });
        expect((await s.listSnapshots(board.id)).map((x) => x.name)).toEqual([""]);
        expect(await s.getSnapshotImage(board.id, snapshot.id, "png")).toBeNull();
      });

      it("is read within its board only", async () => {
        const s = await open();
        const { board } = await withBoard(s);
        const { board: other } = await withBoard(s);
        const snapshot: SnapshotRecord = {
          id: `${board.id}-s1`,
          boardId: board.id,
          name: "",
          kind: "close",
          createdAt: 1,
        };
        await s.addSnapshot(snapshot, { room: bytes(1), inbox: bytes(2) }, [image]);
        expect(await s.getSnapshotStates(other.id, snapshot.id)).toBeNull();
        expect(await s.getSnapshotImage(other.id, snapshot.id, "png")).toBeNull();
        expect(await s.listSnapshots(other.id)).toEqual([]);
      });
    });

    it("[D6] deleteBoard removes the board and every row of it, and only of it", async () => {
      const s = await open();
      const { board, initial } = await withBoard(s);
      const { board: kept, initial: keptInitial } = await withBoard(s);
      for (const b of [board, kept]) {
        void s.enqueue({ type: "update", boardId: b.id, doc: "inbox", update: mapUpdate([], "x", "y") });
        void s.enqueue({ type: "owner", boardId: b.id, noteId: "note-1", participantHash: "p-1" });
        void s.enqueue({ type: "vote", boardId: b.id, participantHash: "p-1", targetId: "note-1", count: 1 });
        void s.enqueue({ type: "flag", boardId: b.id, participantHash: "p-1", flag: "done" });
      }
      await s.whenCommitted();
      const snapshot: SnapshotRecord = {
        id: `${board.id}-s1`,
        boardId: board.id,
        name: "",
        kind: "named",
        createdAt: 1,
      };
      await s.addSnapshot(snapshot, { room: initial, inbox: bytes(0, 0) }, [image()]);
      await s.setRetention(board.id, 30);

      await s.deleteBoard(board.id);
      const t = await reopen(s);
      expect(await t.getBoard(board.id)).toBeNull();
      expect(await t.findBoardByJoinCode(board.joinCode)).toBeNull();
      for (const link of links(board)) expect(await t.findLink(link.tokenHash)).toBeNull();
      expect(await t.loadDoc(board.id, "room")).toEqual([]);
      expect(await t.loadDoc(board.id, "inbox")).toEqual([]);
      expect(await t.loadOwners(board.id)).toEqual(new Map());
      const participants = await t.loadParticipants(board.id);
      expect(participants.votes.size).toBe(0);
      expect(participants.flags.size).toBe(0);
      expect(await t.listSnapshots(board.id)).toEqual([]);
      expect(await t.getSnapshotStates(board.id, snapshot.id)).toBeNull();
      expect(await t.getSnapshotImage(board.id, snapshot.id, "png")).toBeNull();
      expect(await t.getRetention(board.id)).toBeNull();
      expect((await t.listBoards()).map((b) => b.id)).not.toContain(board.id);

      // The other board is whole.
      expect(await t.getBoard(kept.id)).toEqual({ ...kept, lastActivityAt: expect.any(Number) });
      expect((await t.loadDoc(kept.id, "room"))[0]).toEqual(keptInitial);
      expect(await t.loadOwners(kept.id)).toEqual(new Map([["note-1", "p-1"]]));
      expect((await t.loadParticipants(kept.id)).flags.get("done")).toEqual(new Set(["p-1"]));
      expect((await t.findLink(`${kept.id}-facilitator-hash`))?.revoked).toBe(false);
    });

    it("retention: set, read back, cleared; a board expires the given number of days after creation", async () => {
      const s = await open();
      const created = 1_700_000_000_000;
      const { board } = await withBoard(s, created);
      const { board: forever } = await withBoard(s, created);
      expect(await s.getRetention(board.id)).toBeNull();
      await s.setRetention(board.id, 30);
      expect(await s.getRetention(board.id)).toBe(30);
      expect(await s.expiredBoards(created + 29 * DAY)).not.toContain(board.id);
      const expired = await s.expiredBoards(created + 31 * DAY);
      expect(expired).toContain(board.id);
      expect(expired).not.toContain(forever.id);
      const t = await reopen(s);
      expect(await t.getRetention(board.id)).toBe(30);
      await t.setRetention(board.id, null);
      expect(await t.getRetention(board.id)).toBeNull();
      expect(await t.expiredBoards(created + 3650 * DAY)).not.toContain(board.id);
    });

    it("[R1] replaceLink revokes every live link of the role and stores the new one", async () => {
      const s = await open();
      const { board } = await withBoard(s);
      await s.replaceLink(board.id, "facilitator", `${board.id}-new-1`);
      await s.replaceLink(board.id, "facilitator", `${board.id}-new-2`);
      const t = await reopen(s);
      expect(await t.findLink(`${board.id}-facilitator-hash`)).toEqual({
        boardId: board.id,
        role: "facilitator",
        revoked: true,
      });
      expect((await t.findLink(`${board.id}-new-1`))?.revoked).toBe(true);
      expect(await t.findLink(`${board.id}-new-2`)).toEqual({ boardId: board.id, role: "facilitator", revoked: false });
      // Other roles keep their links.
      expect((await t.findLink(`${board.id}-projector-hash`))?.revoked).toBe(false);
    });

    it("replaceJoinCode: the old code stops finding the board, the new one finds it", async () => {
      const s = await open();
      const { board } = await withBoard(s);
      const code = `N${board.joinCode.slice(1)}`;
      await s.replaceJoinCode(board.id, code);
      const t = await reopen(s);
      expect(await t.findBoardByJoinCode(board.joinCode)).toBeNull();
      expect(await t.findBoardByJoinCode(code)).toEqual({ ...board, joinCode: code });
      expect((await t.getBoard(board.id))?.joinCode).toBe(code);
    });

    it("last activity: a board's creation until a change of its documents is committed", async () => {
      const s = await open();
      const { board, initial } = await withBoard(s, 1_700_000_000_000);
      expect((await s.getBoard(board.id))?.lastActivityAt).toBe(board.createdAt);
      const before = Date.now();
      await s.enqueue({ type: "update", boardId: board.id, doc: "room", update: mapUpdate([initial], "a", "1") });
      expect((await (await reopen(s)).getBoard(board.id))?.lastActivityAt).toBeGreaterThanOrEqual(before);
    });

    describe("[D4] a storage fault", () => {
      it("makes enqueue and whenCommitted reject, writes nothing of the batch, and heals", async () => {
        const s = await open();
        const { board, initial } = await withBoard(s);
        await harness.fault(s);
        const u1 = mapUpdate([initial], "a", "1");
        const first = s.enqueue({ type: "update", boardId: board.id, doc: "room", update: u1 });
        const second = s.enqueue({ type: "owner", boardId: board.id, noteId: "note-1", participantHash: "p-1" });
        const committed = s.whenCommitted();
        await expect(first).rejects.toBeDefined();
        await expect(second).rejects.toBeDefined();
        await expect(committed).rejects.toBeDefined();
        await harness.heal(s);
        expect(await s.loadDoc(board.id, "room")).toEqual([initial]);
        expect(await s.loadOwners(board.id)).toEqual(new Map());

        // After healing, commits work again once the board is claimed again (its room reloaded).
        expect(await s.claim(board.id)).toEqual({ owner: "self" });
        const u2 = mapUpdate([initial], "b", "2");
        await s.enqueue({ type: "update", boardId: board.id, doc: "room", update: u2 });
        await s.whenCommitted();
        const t = await reopen(s);
        expect(await t.loadDoc(board.id, "room")).toEqual([initial, u2]);
        expect(await t.loadOwners(board.id)).toEqual(new Map());
      });
    });
  });
}

function image(): SnapshotImage {
  return { format: "png", data: bytes(1, 2, 3, 4), width: 2, height: 2 };
}

import * as Y from "yjs";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { notesMap, ROOM, type DocName } from "@atelier/shared/document/docLayout";
import { Origin } from "@atelier/shared/document/origins";
import { CloseCode } from "@atelier/shared/wire/closeCodes";
import { openRoom, type RoomFixture } from "../testing/roomFixture.ts";
import type { RoomMember } from "./room.ts";

/** Rows on disk now, read synchronously through a connection of its own. */
function countRows(file: string, table: "updates" | "note_owners"): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

interface RecordingMember extends RoomMember {
  delivered: { doc: DocName; origin: unknown; updatesOnDisk: number }[];
  closedWith: { code: number; reason: string } | null;
}

function member(file: string): RecordingMember {
  const m: RecordingMember = {
    role: "facilitator",
    delivered: [],
    closedWith: null,
    deliverUpdate(doc, _update, origin) {
      m.delivered.push({ doc, origin, updatesOnDisk: countRows(file, "updates") });
    },
    phoneViewChanged() {},
    close(code, reason) {
      m.closedWith = { code, reason };
    },
  };
  return m;
}

/** A change that writes one value to the room's settings and stores an owner row. */
function change(key: string) {
  return {
    rows: [{ type: "owner" as const, noteId: `note-${key}`, participantHash: "p-1" }],
    edit: (docs: Parameters<NonNullable<Parameters<RoomFixture["room"]["commit"]>[0]["edit"]>>[0]) =>
      docs.room.transact(
        () => docs.room.getMap(ROOM.settings).set("hideTextsUntilReveal", key === "on"),
        Origin.facilitator,
      ),
  };
}

function readOnly(f: RoomFixture): void {
  (f.storage as unknown as { db: Database.Database }).db.pragma("query_only = ON");
}

describe("Room.commit", () => {
  let f: RoomFixture;
  beforeEach(async () => {
    f = await openRoom();
  });
  afterEach(async () => {
    (f.storage as unknown as { db: Database.Database }).db.pragma("query_only = OFF");
    await f.cleanup();
  });

  it("[D1] resolves only after the storage committed: another connection then sees the rows", async () => {
    const updatesBefore = countRows(f.file, "updates");
    const pending = f.room.commit(change("on"));
    // Applied in memory at once, on disk not yet.
    expect(f.room.docs.room.getMap(ROOM.settings).get("hideTextsUntilReveal")).toBe(true);
    expect(countRows(f.file, "note_owners")).toBe(0);
    expect(countRows(f.file, "updates")).toBe(updatesBefore);
    expect(await pending).toEqual({ ok: true, value: undefined });
    expect(countRows(f.file, "note_owners")).toBe(1);
    expect(countRows(f.file, "updates")).toBe(updatesBefore + 1);
    const { loaded } = await f.reopened();
    expect(loaded.owners.get("note-on")).toBe("p-1");
    expect(loaded.docs.room.getMap(ROOM.settings).get("hideTextsUntilReveal")).toBe(true);
  });

  it("[D2] the rows and the documents' updates of one commit share one transaction", async () => {
    const before = f.storage.stats.commits;
    await f.room.commit(change("on"));
    expect(f.storage.stats.commits).toBe(before + 1);
  });

  it("[D1] members hear of an update only once it is on disk", async () => {
    const m = member(f.file);
    f.room.join(m);
    const updatesBefore = countRows(f.file, "updates");
    const pending = f.room.commit(change("on"));
    expect(m.delivered).toEqual([]);
    await pending;
    expect(m.delivered).toEqual([{ doc: "room", origin: Origin.facilitator, updatesOnDisk: updatesBefore + 1 }]);
  });

  it("[D4] a storage fault: the commit is refused storage_unavailable and the room becomes unusable", async () => {
    const m = member(f.file);
    f.room.join(m);
    readOnly(f);
    expect(await f.room.commit(change("on"))).toEqual({ ok: false, reason: "storage_unavailable" });
    expect(f.room.unusable).toBe(true);
    // Forgotten by its registry at once, so that the next connection reloads from disk.
    expect(f.closedCalls).toBeGreaterThanOrEqual(1);
    expect(m.delivered).toEqual([]);
    // Every later change is refused, even once the disk is writable again.
    (f.storage as unknown as { db: Database.Database }).db.pragma("query_only = OFF");
    expect(await f.room.commit(change("off"))).toEqual({ ok: false, reason: "storage_unavailable" });
    // Its connections are closed with 4503 on the next turn.
    await vi.waitFor(() => expect(m.closedWith?.code).toBe(CloseCode.StorageUnavailable));
    expect(f.room.closed).toBe(true);
    // Nothing of the refused change is on disk.
    const { loaded } = await f.reopened();
    expect(loaded.owners.size).toBe(0);
    expect(loaded.docs.room.getMap(ROOM.settings).get("hideTextsUntilReveal")).not.toBe(true);
  });

  it("[R6] an edit that throws is refused and shuts the room down for a resync from disk", async () => {
    const m = member(f.file);
    f.room.join(m);
    const result = await f.room.commit({
      edit: () => {
        throw new Error("a case the checks missed");
      },
    });
    expect(result).toEqual({ ok: false, reason: "bad_message" });
    expect(f.room.closed).toBe(true);
    expect(m.closedWith?.code).toBe(CloseCode.Resync);
    expect(await f.room.commit({})).toEqual({ ok: false, reason: "storage_unavailable" });
  });

  it("[R6] an edit leaving structs pending is refused and shuts the room down", async () => {
    const m = member(f.file);
    f.room.join(m);
    // An update that depends on content the document never had.
    const { Doc, applyUpdate, encodeStateAsUpdate, encodeStateVector } = await import("yjs");
    const other = new Doc();
    other.getMap("m").set("a", 1);
    const base = encodeStateVector(other);
    other.getMap("m").set("b", 2);
    const dangling = encodeStateAsUpdate(other, base);
    const result = await f.room.commit({ edit: (docs) => applyUpdate(docs.room, dangling, Origin.facilitator) });
    expect(result).toEqual({ ok: false, reason: "bad_message" });
    expect(m.closedWith?.code).toBe(CloseCode.Resync);
    expect(notesMap(f.room.docs.room).size).toBe(0);
  });
});

describe("Room.fullState", () => {
  let f: RoomFixture;
  beforeEach(async () => {
    f = await openRoom();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it("is encoded once for every page that opens the board, and again once the board changes", async () => {
    const first = f.room.fullState("room");
    expect(f.room.fullState("room")).toBe(first);
    expect((await f.room.committedStates()).room).toBe(first);

    expect((await f.room.commit(change("on"))).ok).toBe(true);
    const next = f.room.fullState("room");
    expect(next).not.toBe(first);
    expect(next).toEqual(Y.encodeStateAsUpdate(f.room.docs.room));
    const reopened = new Y.Doc();
    Y.applyUpdate(reopened, next);
    expect(reopened.getMap(ROOM.settings).get("hideTextsUntilReveal")).toBe(true);
  });
});

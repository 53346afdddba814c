import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStorage } from "./sqliteStorage.ts";
import type { Storage } from "./storage.ts";
import { describeStorageContract } from "./storageContract.ts";

const dirs: string[] = [];
const files = new WeakMap<Storage, string>();

function sqlite(s: Storage): SqliteStorage {
  if (!(s instanceof SqliteStorage)) throw new Error("not a SqliteStorage");
  return s;
}

function openAt(file: string): SqliteStorage {
  const s = new SqliteStorage(file);
  files.set(s, file);
  return s;
}

function freshFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "atelier-storage-"));
  dirs.push(dir);
  return join(dir, "atelier.db");
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describeStorageContract("SqliteStorage", {
  open: async () => openAt(freshFile()),
  reopen: async (s) => {
    const file = files.get(s);
    if (!file) throw new Error("unknown handle");
    await s.close();
    return openAt(file);
  },
  // A read-only connection: every write of the next commits fails.
  fault: (s) => void sqlite(s).db.pragma("query_only = ON"),
  heal: (s) => {
    const db = sqlite(s).db;
    if (db.open) db.pragma("query_only = OFF");
  },
});

describe("SqliteStorage specifics", () => {
  it("[D2] group commit: ops enqueued in one turn make one SQLite transaction", async () => {
    const s = openAt(freshFile());
    await s.createBoard({ id: "b1", joinCode: "AAAAAA", title: "t", createdAt: 1 }, [], {});
    const before = s.stats.commits;
    const all = [1, 2, 3, 4, 5].map((i) =>
      s.enqueue({ type: "owner", boardId: "b1", noteId: `note-${i}`, participantHash: "p" }),
    );
    await Promise.all(all);
    expect(s.stats.commits).toBe(before + 1);
    await s.enqueue({ type: "flag", boardId: "b1", participantHash: "p", flag: "done" });
    expect(s.stats.commits).toBe(before + 2);
    await s.close();
  });

  it("[D5] a trigger refuses any update of a stored snapshot", async () => {
    const s = openAt(freshFile());
    await s.createBoard({ id: "b1", joinCode: "AAAAAA", title: "t", createdAt: 1 }, [], {});
    await s.addSnapshot(
      { id: "s1", boardId: "b1", name: "n", kind: "named", createdAt: 1 },
      { room: new Uint8Array([1]), inbox: new Uint8Array([2]) },
    );
    expect(() => s.db.prepare("UPDATE snapshots SET name = 'x' WHERE id = 's1'").run()).toThrow(/immutable/);
    await s.close();
  });

  it("[D1] commits are fsynced: WAL with synchronous=FULL", async () => {
    const s = openAt(freshFile());
    expect(s.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(s.db.pragma("synchronous", { simple: true })).toBe(2);
    expect(s.db.pragma("secure_delete", { simple: true })).toBe(1);
    await s.close();
  });
});

/**
 * What the relay left on disk, read straight from its SQLite file: whether
 * every stored document and snapshot loads into Yjs with nothing pending,
 * and when a board's log has settled. A relay can look healthy and still
 * have stored what no client will ever load again; only these checks see it.
 * (Per-board digests and row diffs are in tests/support/db.ts.)
 */
import Database from "better-sqlite3";
import * as Y from "yjs";
import { waitFor } from "../screens.ts";

export function openDb(dataDir: string): Database.Database {
  return new Database(`${dataDir}/atelier.sqlite`, { readonly: true, fileMustExist: true });
}

/**
 * Waits until a board's log no longer changes by itself: the idle unload
 * compacts a log of more than one entry once, after which it is stable.
 */
export async function waitUntilSettled(db: Database.Database, boardId: string, timeoutMs = 20_000): Promise<void> {
  const count = () =>
    (db.prepare("SELECT COUNT(*) AS n FROM updates WHERE board_id = ? AND doc = 'room'").get(boardId) as { n: number })
      .n;
  await waitFor(() => count() === 1, timeoutMs, `board ${boardId} to be compacted by its idle unload`);
}

export interface StoreProblem {
  /** `pending`: loads, but leaves pending structs or deletions; `unloadable`: Yjs throws. */
  kind: "pending" | "unloadable";
  boardId: string;
  doc: string;
  where: string;
  problem: string;
}

function pendingOf(doc: Y.Doc): string | null {
  if (doc.store.pendingStructs)
    return `pending structs (missing ${JSON.stringify([...doc.store.pendingStructs.missing])})`;
  if (doc.store.pendingDs) return "pending delete set";
  return null;
}

/**
 * Loads every stored document as the relay does (its `updates` rows in
 * order, into one fresh Y.Doc), checking after each row that nothing is
 * pending; and every snapshot's two states, each into a fresh Y.Doc.
 */
export function storedDocProblems(db: Database.Database): StoreProblem[] {
  const problems: StoreProblem[] = [];
  const rows = db.prepare("SELECT seq, board_id, doc, data FROM updates ORDER BY board_id, doc, seq").all() as {
    seq: number;
    board_id: string;
    doc: string;
    data: Buffer;
  }[];
  let current: { key: string; doc: Y.Doc; reported: boolean } | null = null;
  for (const row of rows) {
    const key = `${row.board_id}/${row.doc}`;
    if (!current || current.key !== key) {
      current?.doc.destroy();
      current = { key, doc: new Y.Doc(), reported: false };
    }
    if (current.reported) continue;
    try {
      Y.applyUpdate(current.doc, new Uint8Array(row.data));
    } catch (error) {
      problems.push({
        kind: "unloadable",
        boardId: row.board_id,
        doc: row.doc,
        where: `updates seq ${row.seq} (${row.data.toString("hex").slice(0, 400)})`,
        problem: `does not apply: ${String(error)}`,
      });
      current.reported = true;
      continue;
    }
    const pending = pendingOf(current.doc);
    if (pending) {
      problems.push({
        kind: "pending",
        boardId: row.board_id,
        doc: row.doc,
        where: `updates seq ${row.seq} (${row.data.toString("hex").slice(0, 400)})`,
        problem: pending,
      });
      current.reported = true;
    }
  }
  current?.doc.destroy();
  const snapshots = db.prepare("SELECT id, board_id, room, inbox FROM snapshots").all() as {
    id: string;
    board_id: string;
    room: Buffer;
    inbox: Buffer;
  }[];
  for (const s of snapshots) {
    for (const name of ["room", "inbox"] as const) {
      const doc = new Y.Doc();
      try {
        Y.applyUpdate(doc, new Uint8Array(s[name]));
        const pending = pendingOf(doc);
        if (pending)
          problems.push({
            kind: "pending",
            boardId: s.board_id,
            doc: name,
            where: `snapshot ${s.id}`,
            problem: pending,
          });
      } catch (error) {
        problems.push({
          kind: "unloadable",
          boardId: s.board_id,
          doc: name,
          where: `snapshot ${s.id}`,
          problem: `does not apply: ${String(error)}`,
        });
      }
      doc.destroy();
    }
  }
  return problems;
}

export function countStored(db: Database.Database): { boards: number; updates: number; snapshots: number } {
  const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  return {
    boards: n("SELECT COUNT(*) AS n FROM boards"),
    updates: n("SELECT COUNT(*) AS n FROM updates"),
    snapshots: n("SELECT COUNT(*) AS n FROM snapshots"),
  };
}

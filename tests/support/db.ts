import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import type { Relay } from "@atelier/server/relay";

export function dbOf(relay: Relay): Database.Database {
  return (relay.storage as unknown as { db: Database.Database }).db;
}

/**
 * Which rows of each table belong to a board, and in which order to read
 * them (by primary key, so that the order depends on the rows alone). Every
 * table of the schema must be here: `boardRows` reads the table list from
 * `sqlite_master` and refuses a table it does not know, so that a new table
 * cannot silently fall outside "nothing was written".
 */
const BOARD_TABLES: Record<string, { where: string; orderBy: string }> = {
  boards: { where: "id = ?", orderBy: "id" },
  links: { where: "board_id = ?", orderBy: "token_hash" },
  updates: { where: "board_id = ?", orderBy: "seq" },
  note_owners: { where: "board_id = ?", orderBy: "note_id" },
  snapshots: { where: "board_id = ?", orderBy: "id" },
  snapshot_images: {
    where: "snapshot_id IN (SELECT id FROM snapshots WHERE board_id = ?)",
    orderBy: "snapshot_id, format",
  },
  votes: { where: "board_id = ?", orderBy: "participant_hash, target_id" },
  participant_flags: { where: "board_id = ?", orderBy: "participant_hash, flag" },
  // A series is not a board's own, but a board's writes must not touch its series either.
  series: { where: "id = (SELECT series_id FROM boards WHERE id = ?)", orderBy: "id" },
  series_links: { where: "series_id = (SELECT series_id FROM boards WHERE id = ?)", orderBy: "token_hash" },
  series_merges: { where: "series_id = (SELECT series_id FROM boards WHERE id = ?)", orderBy: "alias" },
};

/** Every stored row of a board, per table (all tables of the schema), as JSON with blobs in hex. */
export function boardRows(db: Database.Database, boardId: string): Record<string, string[]> {
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
      name: string;
    }[]
  ).map((t) => t.name);
  const unknown = tables.filter((t) => !(t in BOARD_TABLES));
  const gone = Object.keys(BOARD_TABLES).filter((t) => !tables.includes(t));
  if (unknown.length > 0 || gone.length > 0) {
    throw new Error(
      `tests/support/db.ts BOARD_TABLES is out of date with the schema: ` +
        `${unknown.length > 0 ? `say which rows of ${unknown.join(", ")} belong to a board and how to order them` : ""}` +
        `${unknown.length > 0 && gone.length > 0 ? "; " : ""}` +
        `${gone.length > 0 ? `no table ${gone.join(", ")} any more` : ""}`,
    );
  }
  const rows: Record<string, string[]> = {};
  for (const table of Object.keys(BOARD_TABLES)) {
    const { where, orderBy } = BOARD_TABLES[table]!;
    rows[table] = db
      .prepare(`SELECT * FROM ${table} WHERE ${where} ORDER BY ${orderBy}`)
      .all(boardId)
      .map((row) => JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString("hex") : v)));
  }
  return rows;
}

/**
 * A digest of everything stored for a board, in every table: equal digests
 * mean nothing was written. Takes an in-process relay, or a database opened
 * directly (a relay in its own process).
 */
export function boardDigest(source: Relay | Database.Database, boardId: string): string {
  const db = "storage" in source ? dbOf(source) : source;
  const hash = createHash("sha256");
  for (const [table, rows] of Object.entries(boardRows(db, boardId))) {
    hash.update(`${table}\n`);
    for (const row of rows) hash.update(`${row}\n`);
  }
  return hash.digest("hex");
}

/** What differs between two `boardRows`, in a few lines, to say what changed when a digest differs. */
export function describeRowChanges(before: Record<string, string[]>, after: Record<string, string[]>): string {
  const lines: string[] = [];
  for (const table of Object.keys(before)) {
    const gone = before[table]!.filter((row) => !after[table]!.includes(row));
    const added = after[table]!.filter((row) => !before[table]!.includes(row));
    for (const row of gone) lines.push(`${table} − ${row.slice(0, 300)}`);
    for (const row of added) lines.push(`${table} + ${row.slice(0, 300)}`);
  }
  return lines.join("\n") || "no row changed";
}

import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import type { Relay } from "@atelier/server/relay";

export function dbOf(relay: Relay): Database.Database {
  return (relay.storage as unknown as { db: Database.Database }).db;
}

/** A digest of everything stored for a board: equal digests mean nothing was written. */
export function boardDigest(relay: Relay, boardId: string): string {
  const db = dbOf(relay);
  const hash = createHash("sha256");
  for (const table of ["updates", "note_owners", "snapshots", "links"]) {
    for (const row of db.prepare(`SELECT * FROM ${table} WHERE board_id = ? ORDER BY rowid`).all(boardId)) {
      hash.update(JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString("hex") : v)));
    }
  }
  return hash.digest("hex");
}

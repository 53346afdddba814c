import type Database from "better-sqlite3";

/**
 * The SQLite file's schema, as named, numbered migrations run at open:
 * `PRAGMA user_version` says how many a file has had.
 */
/** Numbered, append-only: a stored database is upgraded by running the missing ones. */
export const MIGRATIONS: { name: string; sql: string }[] = [
  {
    name: "001_boards_links_updates_owners_snapshots",
    sql: `
      CREATE TABLE boards (
        id TEXT PRIMARY KEY,
        join_code TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE links (
        token_hash TEXT PRIMARY KEY,
        board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        revoked_at INTEGER
      );
      CREATE INDEX links_board ON links(board_id, role);
      CREATE TABLE updates (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
        doc TEXT NOT NULL,
        data BLOB NOT NULL
      );
      CREATE INDEX updates_board_doc ON updates(board_id, doc, seq);
      CREATE TABLE note_owners (
        board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
        note_id TEXT NOT NULL,
        participant_hash TEXT NOT NULL,
        PRIMARY KEY (board_id, note_id)
      );
      CREATE TABLE snapshots (
        id TEXT PRIMARY KEY,
        board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        room BLOB NOT NULL,
        inbox BLOB NOT NULL
      );
      CREATE INDEX snapshots_board ON snapshots(board_id, created_at);
      -- Snapshots are the archive: immutable once taken.
      CREATE TRIGGER snapshots_immutable BEFORE UPDATE ON snapshots
      BEGIN SELECT RAISE(ABORT, 'snapshots are immutable'); END;
    `,
  },
  {
    name: "002_snapshot_images_retention",
    sql: `
      ALTER TABLE boards ADD COLUMN retention_days INTEGER;
      CREATE TABLE snapshot_images (
        snapshot_id TEXT NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        format TEXT NOT NULL,
        data BLOB NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        PRIMARY KEY (snapshot_id, format)
      );
    `,
  },
  {
    name: "003_votes_and_participant_flags",
    sql: `
      CREATE TABLE votes (
        board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
        participant_hash TEXT NOT NULL,
        target_id TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (board_id, participant_hash, target_id)
      );
      CREATE TABLE participant_flags (
        board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
        participant_hash TEXT NOT NULL,
        flag TEXT NOT NULL,
        PRIMARY KEY (board_id, participant_hash, flag)
      );
    `,
  },
  {
    name: "004_series_and_last_activity",
    sql: `
      -- A network's days: a board may belong to one series; deleting a series detaches its boards.
      CREATE TABLE series (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE series_links (
        token_hash TEXT PRIMARY KEY,
        series_id TEXT NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        revoked_at INTEGER
      );
      -- Theme titles of different days that mean the same: alias → target, both normalised.
      CREATE TABLE series_merges (
        series_id TEXT NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        alias TEXT NOT NULL,
        target TEXT NOT NULL,
        PRIMARY KEY (series_id, alias)
      );
      ALTER TABLE boards ADD COLUMN series_id TEXT REFERENCES series(id) ON DELETE SET NULL;
      ALTER TABLE boards ADD COLUMN last_activity_at INTEGER;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `The database was written by a newer Atelier (schema ${current}, this one knows ${MIGRATIONS.length}).`,
    );
  }
  for (let i = current; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]!.sql);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}

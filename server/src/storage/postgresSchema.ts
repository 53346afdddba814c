import type { PoolClient } from "pg";

/**
 * The PostgreSQL schema, as named, numbered migrations run by the relay at
 * start. `atelier_migrations` records those applied; relays starting at once
 * take turns through a transaction-level advisory lock.
 *
 * The tables mirror the SQLite file's (sqliteSchema.ts), plus what several
 * relays need: `relays` (who is alive, where to reach it), `board_owners`
 * (the epoch that fences a stale owner, rule D7) and `atelier_cluster` (the
 * secret relays present to each other when they forward a connection).
 */
export const PG_MIGRATIONS: { name: string; sql: string }[] = [
  {
    name: "001_boards_documents_snapshots_participants_series",
    sql: `
      CREATE TABLE series (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE series_links (
        token_hash TEXT PRIMARY KEY,
        series_id TEXT NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        revoked_at BIGINT
      );
      CREATE TABLE series_merges (
        series_id TEXT NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        alias TEXT NOT NULL,
        target TEXT NOT NULL,
        PRIMARY KEY (series_id, alias)
      );
      CREATE TABLE boards (
        id TEXT PRIMARY KEY,
        join_code TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        retention_days INTEGER,
        series_id TEXT REFERENCES series(id) ON DELETE SET NULL,
        last_activity_at BIGINT
      );
      CREATE TABLE links (
        token_hash TEXT PRIMARY KEY,
        board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        revoked_at BIGINT
      );
      CREATE INDEX links_board ON links(board_id, role);
      -- epoch: the owner's epoch when written (rule D7: a fenced owner's rows can be told apart).
      CREATE TABLE updates (
        seq BIGSERIAL PRIMARY KEY,
        board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
        doc TEXT NOT NULL,
        data BYTEA NOT NULL,
        epoch BIGINT NOT NULL
      );
      CREATE INDEX updates_board_doc ON updates(board_id, doc, seq);
      CREATE TABLE note_owners (
        board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
        note_id TEXT NOT NULL,
        participant_hash TEXT NOT NULL,
        PRIMARY KEY (board_id, note_id)
      );
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
      CREATE TABLE snapshots (
        id TEXT PRIMARY KEY,
        board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        ord BIGSERIAL,
        room BYTEA NOT NULL,
        inbox BYTEA NOT NULL
      );
      CREATE INDEX snapshots_board ON snapshots(board_id, created_at);
      CREATE TABLE snapshot_images (
        snapshot_id TEXT NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        format TEXT NOT NULL,
        data BYTEA NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        PRIMARY KEY (snapshot_id, format)
      );
      -- Snapshots are the archive: immutable once taken.
      CREATE FUNCTION atelier_snapshots_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'snapshots are immutable'; END $$;
      CREATE TRIGGER snapshots_immutable BEFORE UPDATE ON snapshots
        FOR EACH ROW EXECUTE FUNCTION atelier_snapshots_immutable();
    `,
  },
  {
    name: "002_relays_owners_and_fenced_commit",
    sql: `
      CREATE TABLE atelier_cluster (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO atelier_cluster (key, value) VALUES ('relay_secret', md5(random()::text) || md5(random()::text));
      -- backend_pid: the session through which the relay commits and holds its boards' locks.
      CREATE TABLE relays (
        relay_id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        backend_pid INTEGER NOT NULL,
        heartbeat_at TIMESTAMPTZ NOT NULL
      );
      CREATE TABLE board_owners (
        board_id TEXT PRIMARY KEY REFERENCES boards(id) ON DELETE CASCADE,
        relay_id TEXT NOT NULL,
        epoch BIGINT NOT NULL
      );
      -- One committed batch, in one round trip (pg does not pipeline). Rule D7: the owner rows
      -- are share-locked, so a takeover (an UPDATE of the epoch) waits for this commit, and a
      -- batch whose epochs no longer match is refused whole.
      CREATE FUNCTION atelier_commit(
        p_boards TEXT[], p_epochs BIGINT[],
        p_compact_board TEXT[], p_compact_doc TEXT[],
        p_board TEXT[], p_doc TEXT[], p_data BYTEA[], p_epoch BIGINT[],
        p_owner_board TEXT[], p_owner_note TEXT[], p_owner_participant TEXT[],
        p_vote_board TEXT[], p_vote_participant TEXT[], p_vote_target TEXT[], p_vote_count INTEGER[],
        p_flag_board TEXT[], p_flag_participant TEXT[], p_flag TEXT[],
        p_now BIGINT
      ) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        held INTEGER;
      BEGIN
        PERFORM 1 FROM board_owners WHERE board_id = ANY(p_boards) ORDER BY board_id FOR SHARE;
        SELECT count(*) INTO held FROM board_owners o
          JOIN unnest(p_boards, p_epochs) AS t(b, e) ON o.board_id = t.b AND o.epoch = t.e;
        IF held <> coalesce(array_length(p_boards, 1), 0) THEN
          RAISE EXCEPTION 'board ownership lost' USING ERRCODE = 'AT409';
        END IF;
        DELETE FROM updates u USING unnest(p_compact_board, p_compact_doc) AS c(b, d)
          WHERE u.board_id = c.b AND u.doc = c.d;
        INSERT INTO updates (board_id, doc, data, epoch)
          SELECT b, d, x, e FROM unnest(p_board, p_doc, p_data, p_epoch) WITH ORDINALITY AS t(b, d, x, e, n)
          ORDER BY n;
        INSERT INTO note_owners (board_id, note_id, participant_hash)
          SELECT * FROM unnest(p_owner_board, p_owner_note, p_owner_participant)
          ON CONFLICT DO NOTHING;
        DELETE FROM votes v USING unnest(p_vote_board, p_vote_participant, p_vote_target, p_vote_count) AS t(b, p, g, c)
          WHERE t.c <= 0 AND v.board_id = t.b AND v.participant_hash = t.p AND v.target_id = t.g;
        INSERT INTO votes (board_id, participant_hash, target_id, count)
          SELECT * FROM unnest(p_vote_board, p_vote_participant, p_vote_target, p_vote_count) AS t(b, p, g, c)
          WHERE t.c > 0
          ON CONFLICT (board_id, participant_hash, target_id) DO UPDATE SET count = excluded.count;
        INSERT INTO participant_flags (board_id, participant_hash, flag)
          SELECT * FROM unnest(p_flag_board, p_flag_participant, p_flag)
          ON CONFLICT DO NOTHING;
        UPDATE boards SET last_activity_at = p_now
          WHERE id IN (SELECT DISTINCT b FROM unnest(p_board) AS t(b));
      END $$;
    `,
  },
];

/** Every relay's migrations take turns on this lock (its key is arbitrary, fixed forever). */
const MIGRATION_LOCK = 4_241_000;

export async function migratePostgres(client: PoolClient): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query(
      "CREATE TABLE IF NOT EXISTS atelier_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    );
    const { rows } = await client.query<{ v: number | null }>("SELECT max(version) AS v FROM atelier_migrations");
    const current = rows[0]?.v ?? 0;
    if (current > PG_MIGRATIONS.length) {
      throw new Error(
        `The database was written by a newer Atelier (schema ${current}, this one knows ${PG_MIGRATIONS.length}).`,
      );
    }
    for (let i = current; i < PG_MIGRATIONS.length; i++) {
      await client.query(PG_MIGRATIONS[i]!.sql);
      await client.query("INSERT INTO atelier_migrations (version, name) VALUES ($1, $2)", [
        i + 1,
        PG_MIGRATIONS[i]!.name,
      ]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

import pg from "pg";
import type { DocName } from "@atelier/shared/document/docLayout";
import { ROLES, type Role } from "@atelier/shared/wire/roles";
import type {
  BoardRecord,
  Claim,
  ControlEvent,
  LinkRecord,
  ParticipantState,
  SeriesRecord,
  SnapshotImage,
  SnapshotRecord,
  Storage,
  StorageOp,
} from "./storage.ts";
import { migratePostgres } from "./postgresSchema.ts";
import { newBatch, OwnershipLostError, toBatchArrays, type Batch } from "./postgresBatch.ts";
import { BOARD_COLUMNS, toBoard, toSeries } from "./postgresRows.ts";
import { CONNECTION_LIMITS, PostgresCoordination, type CoordinationOptions } from "./postgresCoordination.ts";

export type PostgresOptions = CoordinationOptions;

/**
 * Boards in PostgreSQL, shared by several relay processes (rule D7).
 * Commits go, in batches of one statement each, through the relay's commit
 * session, which also holds its boards' ownership locks
 * (postgresCoordination.ts); every batch checks under a share lock that its
 * boards' epochs are still those this relay claimed. Reads use a small pool.
 */
export class PostgresStorage implements Storage {
  private readonly pool: pg.Pool;
  private readonly coordination: PostgresCoordination;
  private open: Batch | null = null;
  private inFlight: Batch | null = null;
  private flushScheduled = false;
  private secret: string | null = null;
  /** Commits made and ops in them: the group-commit benchmark reads these. */
  readonly stats = { commits: 0, ops: 0 };

  private constructor(options: PostgresOptions) {
    this.pool = new pg.Pool({ connectionString: options.url, max: 4, ...CONNECTION_LIMITS });
    // An idle pooled connection that dies is replaced on the next query; nothing to do here.
    this.pool.on("error", () => undefined);
    this.coordination = new PostgresCoordination(options, this.pool);
  }

  /** Connects, migrates the schema, and starts listening for other relays' events. */
  static async open(options: PostgresOptions): Promise<PostgresStorage> {
    const storage = new PostgresStorage(options);
    try {
      const client = await storage.pool.connect();
      try {
        await migratePostgres(client);
        const { rows } = await client.query<{ value: string }>(
          "SELECT value FROM atelier_cluster WHERE key = 'relay_secret'",
        );
        storage.secret = rows[0]?.value ?? null;
      } finally {
        client.release();
      }
      await storage.coordination.listen();
    } catch (error) {
      await storage.coordination.close();
      await storage.pool.end().catch(() => undefined);
      throw error;
    }
    return storage;
  }

  // ---- ownership and other relays (postgresCoordination.ts) ---------------

  claim(boardId: string): Promise<Claim> {
    return this.coordination.claim(boardId);
  }

  release(boardId: string): Promise<void> {
    return this.coordination.release(boardId);
  }

  ownerElsewhere(boardId: string): Promise<string | null> {
    return this.coordination.ownerElsewhere(boardId);
  }

  onOwnershipLost(listener: (boardIds: string[]) => void): void {
    this.coordination.onOwnershipLost(listener);
  }

  announce(event: ControlEvent): Promise<void> {
    return this.coordination.announce(event);
  }

  onControl(listener: (event: ControlEvent) => void): void {
    this.coordination.onControl(listener);
  }

  advertise(url: string): Promise<void> {
    return this.coordination.advertise(url);
  }

  relaySecret(): string | null {
    return this.secret;
  }

  // ---- group commit ------------------------------------------------------

  enqueue(op: StorageOp): Promise<void> {
    if (!this.open) this.open = newBatch();
    this.open.ops.push({ op, epoch: this.coordination.epochOf(op.boardId) });
    this.scheduleFlush();
    return this.open.promise;
  }

  whenCommitted(): Promise<void> {
    return (this.open ?? this.inFlight)?.promise ?? Promise.resolve();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight) return;
    this.flushScheduled = true;
    // Everything that arrives in this turn, and while a commit is in flight, joins the next one.
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.open;
    if (!batch || this.inFlight) return;
    this.open = null;
    this.inFlight = batch;
    try {
      const stale = batch.ops.find(({ op, epoch }) => epoch < 0 || this.coordination.epochOf(op.boardId) !== epoch);
      if (stale) throw new OwnershipLostError(stale.op.boardId);
      const client = await this.coordination.commitSession();
      const arrays = toBatchArrays(batch.ops, Date.now());
      await client.query(
        "SELECT atelier_commit($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
        arrays,
      );
      this.stats.commits++;
      this.stats.ops += batch.ops.length;
      batch.resolve();
    } catch (error) {
      // What was enqueued before this failure may depend on it: those boards need a new claim.
      this.coordination.invalidate(batch.ops.map(({ op }) => op.boardId));
      batch.reject(error);
    } finally {
      this.inFlight = null;
      if (this.open) this.scheduleFlush();
    }
  }

  // ---- boards, links, documents -----------------------------------------

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async createBoard(
    board: BoardRecord,
    links: { tokenHash: string; role: Role }[],
    initial: Partial<Record<DocName, Uint8Array>>,
  ): Promise<void> {
    await this.transaction(async (c) => {
      await c.query(
        "INSERT INTO boards (id, join_code, title, created_at, series_id, last_activity_at) VALUES ($1, $2, $3, $4, $5, $6)",
        [board.id, board.joinCode, board.title, board.createdAt, board.seriesId ?? null, board.createdAt],
      );
      for (const link of links) {
        await c.query("INSERT INTO links (token_hash, board_id, role) VALUES ($1, $2, $3)", [
          link.tokenHash,
          board.id,
          link.role,
        ]);
      }
      for (const [doc, state] of Object.entries(initial)) {
        await c.query("INSERT INTO updates (board_id, doc, data, epoch) VALUES ($1, $2, $3, 0)", [
          board.id,
          doc,
          Buffer.from(state),
        ]);
      }
    });
  }

  async getBoard(boardId: string): Promise<BoardRecord | null> {
    const { rows } = await this.pool.query(`SELECT ${BOARD_COLUMNS} FROM boards WHERE id = $1`, [boardId]);
    return toBoard(rows[0]);
  }

  async findBoardByJoinCode(joinCode: string): Promise<BoardRecord | null> {
    const { rows } = await this.pool.query(`SELECT ${BOARD_COLUMNS} FROM boards WHERE join_code = $1`, [joinCode]);
    return toBoard(rows[0]);
  }

  async findLink(tokenHash: string): Promise<LinkRecord | null> {
    const { rows } = await this.pool.query<{ board_id: string; role: string; revoked_at: string | null }>(
      "SELECT board_id, role, revoked_at FROM links WHERE token_hash = $1",
      [tokenHash],
    );
    const row = rows[0];
    if (!row || !(ROLES as readonly string[]).includes(row.role)) return null;
    return { boardId: row.board_id, role: row.role as Role, revoked: row.revoked_at !== null };
  }

  async replaceLink(boardId: string, role: Role, tokenHash: string): Promise<void> {
    await this.transaction(async (c) => {
      await c.query("UPDATE links SET revoked_at = $1 WHERE board_id = $2 AND role = $3 AND revoked_at IS NULL", [
        Date.now(),
        boardId,
        role,
      ]);
      await c.query("INSERT INTO links (token_hash, board_id, role) VALUES ($1, $2, $3)", [tokenHash, boardId, role]);
    });
  }

  async replaceJoinCode(boardId: string, joinCode: string): Promise<void> {
    await this.pool.query("UPDATE boards SET join_code = $1 WHERE id = $2", [joinCode, boardId]);
  }

  async loadDoc(boardId: string, doc: DocName): Promise<Uint8Array[]> {
    // Rows as arrays: no object per row (a long log has 100,000 of them).
    const result = await this.pool.query<[Buffer]>({
      text: "SELECT data FROM updates WHERE board_id = $1 AND doc = $2 ORDER BY seq",
      values: [boardId, doc],
      rowMode: "array",
    });
    return result.rows.map(([b]) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  }

  async loadOwners(boardId: string): Promise<Map<string, string>> {
    const { rows } = await this.pool.query<{ note_id: string; participant_hash: string }>(
      "SELECT note_id, participant_hash FROM note_owners WHERE board_id = $1",
      [boardId],
    );
    return new Map(rows.map((r) => [r.note_id, r.participant_hash]));
  }

  async loadParticipants(boardId: string): Promise<ParticipantState> {
    const votes = new Map<string, Map<string, number>>();
    const voteRows = await this.pool.query<{ participant_hash: string; target_id: string; count: number }>(
      "SELECT participant_hash, target_id, count FROM votes WHERE board_id = $1",
      [boardId],
    );
    for (const row of voteRows.rows) {
      if (!votes.has(row.participant_hash)) votes.set(row.participant_hash, new Map());
      votes.get(row.participant_hash)!.set(row.target_id, row.count);
    }
    const flags = new Map<string, Set<string>>();
    const flagRows = await this.pool.query<{ participant_hash: string; flag: string }>(
      "SELECT participant_hash, flag FROM participant_flags WHERE board_id = $1",
      [boardId],
    );
    for (const row of flagRows.rows) {
      if (!flags.has(row.flag)) flags.set(row.flag, new Set());
      flags.get(row.flag)!.add(row.participant_hash);
    }
    return { votes, flags };
  }

  // ---- snapshots -----------------------------------------------------------

  async addSnapshot(
    snapshot: SnapshotRecord,
    states: Record<DocName, Uint8Array>,
    images: SnapshotImage[] = [],
  ): Promise<void> {
    await this.whenCommitted();
    await this.transaction(async (c) => {
      await c.query(
        "INSERT INTO snapshots (id, board_id, name, kind, created_at, room, inbox) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
          snapshot.id,
          snapshot.boardId,
          snapshot.name,
          snapshot.kind,
          snapshot.createdAt,
          Buffer.from(states.room),
          Buffer.from(states.inbox),
        ],
      );
      for (const image of images) {
        await c.query(
          "INSERT INTO snapshot_images (snapshot_id, format, data, width, height) VALUES ($1, $2, $3, $4, $5)",
          [snapshot.id, image.format, Buffer.from(image.data), image.width, image.height],
        );
      }
    });
  }

  async listSnapshots(boardId: string): Promise<SnapshotRecord[]> {
    const { rows } = await this.pool.query<{
      id: string;
      board_id: string;
      name: string;
      kind: SnapshotRecord["kind"];
      created_at: string;
      formats: string[] | null;
    }>(
      `SELECT s.id, s.board_id, s.name, s.kind, s.created_at,
              (SELECT array_agg(format ORDER BY format) FROM snapshot_images i WHERE i.snapshot_id = s.id) AS formats
       FROM snapshots s WHERE s.board_id = $1 ORDER BY s.created_at, s.ord`,
      [boardId],
    );
    return rows.map((r) => ({
      id: r.id,
      boardId: r.board_id,
      name: r.name,
      kind: r.kind,
      createdAt: Number(r.created_at),
      images: (r.formats ?? []) as SnapshotImage["format"][],
    }));
  }

  async getSnapshotStates(boardId: string, snapshotId: string): Promise<Record<DocName, Uint8Array> | null> {
    const { rows } = await this.pool.query<{ room: Buffer; inbox: Buffer }>(
      "SELECT room, inbox FROM snapshots WHERE board_id = $1 AND id = $2",
      [boardId, snapshotId],
    );
    const row = rows[0];
    return row ? { room: new Uint8Array(row.room), inbox: new Uint8Array(row.inbox) } : null;
  }

  async getSnapshotImage(
    boardId: string,
    snapshotId: string,
    format: SnapshotImage["format"],
  ): Promise<SnapshotImage | null> {
    const { rows } = await this.pool.query<{ data: Buffer; width: number; height: number }>(
      `SELECT i.data, i.width, i.height FROM snapshot_images i JOIN snapshots s ON s.id = i.snapshot_id
       WHERE s.board_id = $1 AND i.snapshot_id = $2 AND i.format = $3`,
      [boardId, snapshotId, format],
    );
    const row = rows[0];
    return row ? { format, data: new Uint8Array(row.data), width: row.width, height: row.height } : null;
  }

  // ---- deletion and retention ---------------------------------------------

  async deleteBoard(boardId: string): Promise<void> {
    await this.whenCommitted().catch(() => undefined);
    // Every row goes at once (ON DELETE CASCADE); the WAL and backups keep them until
    // recycled: docs/THREAT_MODEL.md says what the operator must do.
    await this.pool.query("DELETE FROM boards WHERE id = $1", [boardId]);
  }

  async setRetention(boardId: string, days: number | null): Promise<void> {
    await this.pool.query("UPDATE boards SET retention_days = $1 WHERE id = $2", [days, boardId]);
  }

  async getRetention(boardId: string): Promise<number | null> {
    const { rows } = await this.pool.query<{ retention_days: number | null }>(
      "SELECT retention_days FROM boards WHERE id = $1",
      [boardId],
    );
    return rows[0]?.retention_days ?? null;
  }

  async expiredBoards(now: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      "SELECT id FROM boards WHERE retention_days IS NOT NULL AND created_at + retention_days * 86400000::bigint < $1",
      [now],
    );
    return rows.map((r) => r.id);
  }

  async listBoards(): Promise<BoardRecord[]> {
    const { rows } = await this.pool.query(`SELECT ${BOARD_COLUMNS} FROM boards ORDER BY created_at, id`);
    return rows.map((r) => toBoard(r)!);
  }

  // ---- series --------------------------------------------------------------

  async createSeries(series: SeriesRecord, tokenHash: string): Promise<void> {
    await this.transaction(async (c) => {
      await c.query("INSERT INTO series (id, title, created_at) VALUES ($1, $2, $3)", [
        series.id,
        series.title,
        series.createdAt,
      ]);
      await c.query("INSERT INTO series_links (token_hash, series_id) VALUES ($1, $2)", [tokenHash, series.id]);
    });
  }

  async getSeries(seriesId: string): Promise<SeriesRecord | null> {
    const { rows } = await this.pool.query("SELECT id, title, created_at FROM series WHERE id = $1", [seriesId]);
    return toSeries(rows[0]);
  }

  async listSeries(): Promise<SeriesRecord[]> {
    const { rows } = await this.pool.query("SELECT id, title, created_at FROM series ORDER BY created_at, id");
    return rows.map((r) => toSeries(r)!);
  }

  async findSeriesLink(tokenHash: string): Promise<{ seriesId: string; revoked: boolean } | null> {
    const { rows } = await this.pool.query<{ series_id: string; revoked_at: string | null }>(
      "SELECT series_id, revoked_at FROM series_links WHERE token_hash = $1",
      [tokenHash],
    );
    const row = rows[0];
    return row ? { seriesId: row.series_id, revoked: row.revoked_at !== null } : null;
  }

  async replaceSeriesLink(seriesId: string, tokenHash: string): Promise<void> {
    await this.transaction(async (c) => {
      await c.query("UPDATE series_links SET revoked_at = $1 WHERE series_id = $2 AND revoked_at IS NULL", [
        Date.now(),
        seriesId,
      ]);
      await c.query("INSERT INTO series_links (token_hash, series_id) VALUES ($1, $2)", [tokenHash, seriesId]);
    });
  }

  async setBoardSeries(boardId: string, seriesId: string | null): Promise<void> {
    await this.pool.query("UPDATE boards SET series_id = $1 WHERE id = $2", [seriesId, boardId]);
  }

  async deleteSeries(seriesId: string): Promise<void> {
    await this.pool.query("DELETE FROM series WHERE id = $1", [seriesId]);
  }

  async seriesMerges(seriesId: string): Promise<Map<string, string>> {
    const { rows } = await this.pool.query<{ alias: string; target: string }>(
      "SELECT alias, target FROM series_merges WHERE series_id = $1",
      [seriesId],
    );
    return new Map(rows.map((r) => [r.alias, r.target]));
  }

  async setSeriesMerge(seriesId: string, alias: string, target: string | null): Promise<void> {
    if (target === null) {
      await this.pool.query("DELETE FROM series_merges WHERE series_id = $1 AND alias = $2", [seriesId, alias]);
    } else {
      await this.pool.query(
        "INSERT INTO series_merges (series_id, alias, target) VALUES ($1, $2, $3) ON CONFLICT (series_id, alias) DO UPDATE SET target = excluded.target",
        [seriesId, alias, target],
      );
    }
  }

  async close(): Promise<void> {
    await this.whenCommitted().catch(() => undefined);
    await this.coordination.close();
    await this.pool.end().catch(() => undefined);
  }
}

import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DocName } from "@atelier/shared/document/docLayout";
import type { Role } from "@atelier/shared/wire/roles";
import type {
  BoardRecord,
  Claim,
  LinkRecord,
  SeriesRecord,
  ParticipantState,
  SnapshotImage,
  SnapshotRecord,
  Storage,
  StorageOp,
} from "./storage.ts";
import { migrate } from "./sqliteSchema.ts";

interface Batch {
  ops: StorageOp[];
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class SqliteStorage implements Storage {
  readonly db: Database.Database;
  private batch: Batch | null = null;
  private readonly stmts;
  /** Commits made and ops in them: the group-commit benchmark reads these. */
  readonly stats = { commits: 0, ops: 0 };

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    // FULL: a commit is fsynced before it returns, so an ack never precedes the disk.
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    // A deleted board must not linger in free pages of the file (notes may concern minors).
    this.db.pragma("secure_delete = ON");
    migrate(this.db);
    const db = this.db;
    this.stmts = {
      insertBoard: db.prepare(
        "INSERT INTO boards (id, join_code, title, created_at, series_id, last_activity_at) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      insertLink: db.prepare("INSERT INTO links (token_hash, board_id, role) VALUES (?, ?, ?)"),
      getBoard: db.prepare(`SELECT ${BOARD_COLUMNS} FROM boards WHERE id = ?`),
      boardByCode: db.prepare(`SELECT ${BOARD_COLUMNS} FROM boards WHERE join_code = ?`),
      touchBoard: db.prepare("UPDATE boards SET last_activity_at = ? WHERE id = ?"),
      findLink: db.prepare("SELECT board_id, role, revoked_at FROM links WHERE token_hash = ?"),
      revokeRole: db.prepare("UPDATE links SET revoked_at = ? WHERE board_id = ? AND role = ? AND revoked_at IS NULL"),
      setJoinCode: db.prepare("UPDATE boards SET join_code = ? WHERE id = ?"),
      loadDoc: db.prepare("SELECT data FROM updates WHERE board_id = ? AND doc = ? ORDER BY seq"),
      insertUpdate: db.prepare("INSERT INTO updates (board_id, doc, data) VALUES (?, ?, ?)"),
      deleteUpdates: db.prepare("DELETE FROM updates WHERE board_id = ? AND doc = ?"),
      insertOwner: db.prepare(
        "INSERT OR IGNORE INTO note_owners (board_id, note_id, participant_hash) VALUES (?, ?, ?)",
      ),
      setVote: db.prepare(
        "INSERT INTO votes (board_id, participant_hash, target_id, count) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET count = excluded.count",
      ),
      deleteVote: db.prepare("DELETE FROM votes WHERE board_id = ? AND participant_hash = ? AND target_id = ?"),
      loadVotes: db.prepare("SELECT participant_hash, target_id, count FROM votes WHERE board_id = ?"),
      setFlag: db.prepare(
        "INSERT OR IGNORE INTO participant_flags (board_id, participant_hash, flag) VALUES (?, ?, ?)",
      ),
      loadFlags: db.prepare("SELECT participant_hash, flag FROM participant_flags WHERE board_id = ?"),
      loadOwners: db.prepare("SELECT note_id, participant_hash FROM note_owners WHERE board_id = ?"),
      insertSnapshot: db.prepare(
        "INSERT INTO snapshots (id, board_id, name, kind, created_at, room, inbox) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      listSnapshots: db.prepare(
        `SELECT s.id, s.board_id, s.name, s.kind, s.created_at,
                (SELECT group_concat(format) FROM snapshot_images i WHERE i.snapshot_id = s.id) AS formats
         FROM snapshots s WHERE s.board_id = ? ORDER BY s.created_at, s.rowid`,
      ),
      getSnapshot: db.prepare("SELECT room, inbox FROM snapshots WHERE board_id = ? AND id = ?"),
      insertImage: db.prepare(
        "INSERT INTO snapshot_images (snapshot_id, format, data, width, height) VALUES (?, ?, ?, ?, ?)",
      ),
      getImage: db.prepare(
        `SELECT i.data, i.width, i.height FROM snapshot_images i JOIN snapshots s ON s.id = i.snapshot_id
         WHERE s.board_id = ? AND i.snapshot_id = ? AND i.format = ?`,
      ),
      deleteBoard: db.prepare("DELETE FROM boards WHERE id = ?"),
      setRetention: db.prepare("UPDATE boards SET retention_days = ? WHERE id = ?"),
      getRetention: db.prepare("SELECT retention_days FROM boards WHERE id = ?"),
      expired: db.prepare(
        "SELECT id FROM boards WHERE retention_days IS NOT NULL AND created_at + retention_days * 86400000 < ?",
      ),
      listBoards: db.prepare(`SELECT ${BOARD_COLUMNS} FROM boards ORDER BY created_at`),
      insertSeries: db.prepare("INSERT INTO series (id, title, created_at) VALUES (?, ?, ?)"),
      getSeries: db.prepare("SELECT id, title, created_at FROM series WHERE id = ?"),
      listSeries: db.prepare("SELECT id, title, created_at FROM series ORDER BY created_at"),
      insertSeriesLink: db.prepare("INSERT INTO series_links (token_hash, series_id) VALUES (?, ?)"),
      findSeriesLink: db.prepare("SELECT series_id, revoked_at FROM series_links WHERE token_hash = ?"),
      revokeSeriesLinks: db.prepare(
        "UPDATE series_links SET revoked_at = ? WHERE series_id = ? AND revoked_at IS NULL",
      ),
      setBoardSeries: db.prepare("UPDATE boards SET series_id = ? WHERE id = ?"),
      deleteSeries: db.prepare("DELETE FROM series WHERE id = ?"),
      seriesMerges: db.prepare("SELECT alias, target FROM series_merges WHERE series_id = ?"),
      setMerge: db.prepare(
        "INSERT INTO series_merges (series_id, alias, target) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET target = excluded.target",
      ),
      deleteMerge: db.prepare("DELETE FROM series_merges WHERE series_id = ? AND alias = ?"),
    };
  }

  async createBoard(
    board: BoardRecord,
    links: { tokenHash: string; role: Role }[],
    initial: Partial<Record<DocName, Uint8Array>>,
  ): Promise<void> {
    this.db.transaction(() => {
      this.stmts.insertBoard.run(
        board.id,
        board.joinCode,
        board.title,
        board.createdAt,
        board.seriesId ?? null,
        board.createdAt,
      );
      for (const link of links) this.stmts.insertLink.run(link.tokenHash, board.id, link.role);
      for (const [doc, state] of Object.entries(initial)) this.stmts.insertUpdate.run(board.id, doc, state);
    })();
  }

  async getBoard(boardId: string): Promise<BoardRecord | null> {
    return toBoard(this.stmts.getBoard.get(boardId));
  }

  async findBoardByJoinCode(joinCode: string): Promise<BoardRecord | null> {
    return toBoard(this.stmts.boardByCode.get(joinCode));
  }

  async findLink(tokenHash: string): Promise<LinkRecord | null> {
    const row = this.stmts.findLink.get(tokenHash) as
      { board_id: string; role: Role; revoked_at: number | null } | undefined;
    return row ? { boardId: row.board_id, role: row.role, revoked: row.revoked_at !== null } : null;
  }

  async replaceLink(boardId: string, role: Role, tokenHash: string): Promise<void> {
    this.db.transaction(() => {
      this.stmts.revokeRole.run(Date.now(), boardId, role);
      this.stmts.insertLink.run(tokenHash, boardId, role);
    })();
  }

  async replaceJoinCode(boardId: string, joinCode: string): Promise<void> {
    this.stmts.setJoinCode.run(joinCode, boardId);
  }

  async loadDoc(boardId: string, doc: DocName): Promise<Uint8Array[]> {
    // Plucked: the blobs themselves, with no row object each (a long log has 100,000 of them).
    const blobs = this.stmts.loadDoc.pluck().all(boardId, doc) as Buffer[];
    return blobs.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  }

  async loadOwners(boardId: string): Promise<Map<string, string>> {
    const rows = this.stmts.loadOwners.all(boardId) as { note_id: string; participant_hash: string }[];
    return new Map(rows.map((r) => [r.note_id, r.participant_hash]));
  }

  async loadParticipants(boardId: string): Promise<ParticipantState> {
    const votes = new Map<string, Map<string, number>>();
    for (const row of this.stmts.loadVotes.all(boardId) as {
      participant_hash: string;
      target_id: string;
      count: number;
    }[]) {
      if (!votes.has(row.participant_hash)) votes.set(row.participant_hash, new Map());
      votes.get(row.participant_hash)!.set(row.target_id, row.count);
    }
    const flags = new Map<string, Set<string>>();
    for (const row of this.stmts.loadFlags.all(boardId) as { participant_hash: string; flag: string }[]) {
      if (!flags.has(row.flag)) flags.set(row.flag, new Set());
      flags.get(row.flag)!.add(row.participant_hash);
    }
    return { votes, flags };
  }

  enqueue(op: StorageOp): Promise<void> {
    if (!this.batch) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.batch = { ops: [], promise, resolve, reject };
      // Everything that arrives in this turn of the event loop joins the same commit.
      setImmediate(() => this.flush());
    }
    this.batch.ops.push(op);
    return this.batch.promise;
  }

  whenCommitted(): Promise<void> {
    return this.batch ? this.batch.promise : Promise.resolve();
  }

  private flush(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = null;
    try {
      this.db.transaction(() => {
        const changed = new Set<string>();
        for (const op of batch.ops) {
          this.apply(op);
          if (op.type === "update") changed.add(op.boardId);
        }
        // One row per board per commit: the organiser's page shows when a board last moved.
        const now = Date.now();
        for (const boardId of changed) this.stmts.touchBoard.run(now, boardId);
      })();
      this.stats.commits++;
      this.stats.ops += batch.ops.length;
      batch.resolve();
    } catch (error) {
      batch.reject(error);
    }
  }

  private apply(op: StorageOp): void {
    switch (op.type) {
      case "update":
        this.stmts.insertUpdate.run(op.boardId, op.doc, op.update);
        return;
      case "compact":
        this.stmts.deleteUpdates.run(op.boardId, op.doc);
        this.stmts.insertUpdate.run(op.boardId, op.doc, op.state);
        return;
      case "owner":
        this.stmts.insertOwner.run(op.boardId, op.noteId, op.participantHash);
        return;
      case "vote":
        if (op.count > 0) this.stmts.setVote.run(op.boardId, op.participantHash, op.targetId, op.count);
        else this.stmts.deleteVote.run(op.boardId, op.participantHash, op.targetId);
        return;
      case "flag":
        this.stmts.setFlag.run(op.boardId, op.participantHash, op.flag);
        return;
      default: {
        const never: never = op;
        throw new Error(`unknown storage op ${JSON.stringify(never)}`);
      }
    }
  }

  async addSnapshot(
    snapshot: SnapshotRecord,
    states: Record<DocName, Uint8Array>,
    images: SnapshotImage[] = [],
  ): Promise<void> {
    await this.whenCommitted();
    this.db.transaction(() => {
      this.stmts.insertSnapshot.run(
        snapshot.id,
        snapshot.boardId,
        snapshot.name,
        snapshot.kind,
        snapshot.createdAt,
        states.room,
        states.inbox,
      );
      for (const image of images) {
        this.stmts.insertImage.run(snapshot.id, image.format, image.data, image.width, image.height);
      }
    })();
  }

  async getSnapshotStates(boardId: string, snapshotId: string): Promise<Record<DocName, Uint8Array> | null> {
    const row = this.stmts.getSnapshot.get(boardId, snapshotId) as { room: Buffer; inbox: Buffer } | undefined;
    return row ? { room: new Uint8Array(row.room), inbox: new Uint8Array(row.inbox) } : null;
  }

  async getSnapshotImage(
    boardId: string,
    snapshotId: string,
    format: SnapshotImage["format"],
  ): Promise<SnapshotImage | null> {
    const row = this.stmts.getImage.get(boardId, snapshotId, format) as
      { data: Buffer; width: number; height: number } | undefined;
    return row ? { format, data: new Uint8Array(row.data), width: row.width, height: row.height } : null;
  }

  async deleteBoard(boardId: string): Promise<void> {
    await this.whenCommitted().catch(() => undefined);
    this.stmts.deleteBoard.run(boardId);
    // The WAL still holds the old pages until a checkpoint: truncate it.
    this.db.pragma("wal_checkpoint(TRUNCATE)");
  }

  async setRetention(boardId: string, days: number | null): Promise<void> {
    this.stmts.setRetention.run(days, boardId);
  }

  async getRetention(boardId: string): Promise<number | null> {
    const row = this.stmts.getRetention.get(boardId) as { retention_days: number | null } | undefined;
    return row?.retention_days ?? null;
  }

  async expiredBoards(now: number): Promise<string[]> {
    return (this.stmts.expired.all(now) as { id: string }[]).map((r) => r.id);
  }

  async listBoards(): Promise<BoardRecord[]> {
    return (this.stmts.listBoards.all() as unknown[]).map((r) => toBoard(r)!);
  }

  async createSeries(series: SeriesRecord, tokenHash: string): Promise<void> {
    this.db.transaction(() => {
      this.stmts.insertSeries.run(series.id, series.title, series.createdAt);
      this.stmts.insertSeriesLink.run(tokenHash, series.id);
    })();
  }

  async getSeries(seriesId: string): Promise<SeriesRecord | null> {
    return toSeries(this.stmts.getSeries.get(seriesId));
  }

  async listSeries(): Promise<SeriesRecord[]> {
    return (this.stmts.listSeries.all() as unknown[]).map((r) => toSeries(r)!);
  }

  async findSeriesLink(tokenHash: string): Promise<{ seriesId: string; revoked: boolean } | null> {
    const row = this.stmts.findSeriesLink.get(tokenHash) as
      { series_id: string; revoked_at: number | null } | undefined;
    return row ? { seriesId: row.series_id, revoked: row.revoked_at !== null } : null;
  }

  async replaceSeriesLink(seriesId: string, tokenHash: string): Promise<void> {
    this.db.transaction(() => {
      this.stmts.revokeSeriesLinks.run(Date.now(), seriesId);
      this.stmts.insertSeriesLink.run(tokenHash, seriesId);
    })();
  }

  async setBoardSeries(boardId: string, seriesId: string | null): Promise<void> {
    this.stmts.setBoardSeries.run(seriesId, boardId);
  }

  async deleteSeries(seriesId: string): Promise<void> {
    this.stmts.deleteSeries.run(seriesId);
    // Its title and merged theme titles must not linger in the WAL either.
    this.db.pragma("wal_checkpoint(TRUNCATE)");
  }

  async seriesMerges(seriesId: string): Promise<Map<string, string>> {
    const rows = this.stmts.seriesMerges.all(seriesId) as { alias: string; target: string }[];
    return new Map(rows.map((r) => [r.alias, r.target]));
  }

  async setSeriesMerge(seriesId: string, alias: string, target: string | null): Promise<void> {
    if (target === null) this.stmts.deleteMerge.run(seriesId, alias);
    else this.stmts.setMerge.run(seriesId, alias, target);
  }

  async listSnapshots(boardId: string): Promise<SnapshotRecord[]> {
    const rows = this.stmts.listSnapshots.all(boardId) as {
      id: string;
      board_id: string;
      name: string;
      kind: SnapshotRecord["kind"];
      created_at: number;
      formats: string | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      boardId: r.board_id,
      name: r.name,
      kind: r.kind,
      createdAt: r.created_at,
      images: (r.formats ? r.formats.split(",") : []) as SnapshotImage["format"][],
    }));
  }

  // One process owns every board of its file: there is nobody to fence or to tell.
  async claim(): Promise<Claim> {
    return { owner: "self" };
  }

  async release(): Promise<void> {}

  async ownerElsewhere(): Promise<string | null> {
    return null;
  }

  onOwnershipLost(): void {}

  async announce(): Promise<void> {}

  onControl(): void {}

  relaySecret(): string | null {
    return null;
  }

  async advertise(): Promise<void> {}

  async close(): Promise<void> {
    await this.whenCommitted().catch(() => undefined);
    this.db.close();
  }
}

const BOARD_COLUMNS = "id, join_code, title, created_at, series_id, last_activity_at";

function toBoard(row: unknown): BoardRecord | null {
  if (!row) return null;
  const r = row as {
    id: string;
    join_code: string;
    title: string;
    created_at: number;
    series_id: string | null;
    last_activity_at: number | null;
  };
  return {
    id: r.id,
    joinCode: r.join_code,
    title: r.title,
    createdAt: r.created_at,
    seriesId: r.series_id,
    lastActivityAt: r.last_activity_at ?? r.created_at,
  };
}

function toSeries(row: unknown): SeriesRecord | null {
  if (!row) return null;
  const r = row as { id: string; title: string; created_at: number };
  return { id: r.id, title: r.title, createdAt: r.created_at };
}

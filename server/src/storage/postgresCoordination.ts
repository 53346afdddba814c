import pg from "pg";
import { ROLES, type Role } from "@atelier/shared/wire/roles";
import type { Claim, ControlEvent } from "./storage.ts";

export interface CoordinationOptions {
  url: string;
  /** Unique per process: a restarted relay is a new one. */
  relayId: string;
  /** A relay silent this long (no heartbeat) may have its boards taken over. */
  leaseMs: number;
  log?: (message: string) => void;
}

/**
 * Every connection gives up instead of waiting forever: a store that is away
 * must turn into a clean refusal (rule D1), never into a socket left hanging.
 */
export const CONNECTION_LIMITS = { connectionTimeoutMillis: 5_000, query_timeout: 15_000, keepAlive: true } as const;

/** Advisory locks of board ownership use this class id (two-key form), fixed forever. */
const OWNER_LOCK_CLASS = 4242;
const CONTROL_CHANNEL = "atelier_control";

interface Owned {
  epoch: number;
  /** False after a failed batch: ops enqueued before the next claim are stale. */
  valid: boolean;
}

/** The live holder of a board's ownership lock, as PostgreSQL sees it. */
interface Holder {
  pid: number;
  relayId: string | null;
  url: string | null;
  alive: boolean;
}

/**
 * How relays sharing one PostgreSQL agree on who owns which board (rule D7).
 *
 * Each relay has one commit session: its backend holds a session-level
 * advisory lock per board it owns, sends the heartbeat, and is the only
 * connection its commits go through. Taking over a board whose owner stopped
 * heartbeating ends that owner's session first (pg_terminate_backend), so
 * its locks go and nothing it still sends can commit; the epoch in
 * `board_owners` then tells its queued ops from the new owner's.
 * Rare events between relays (a board deleted, a link revoked) go through
 * LISTEN/NOTIFY on a connection of their own.
 */
export class PostgresCoordination {
  private session: Promise<pg.Client> | null = null;
  private readonly owned = new Map<string, Owned>();
  private advertisedUrl = "";
  private listener: pg.Client | null = null;
  private readonly lostListeners = new Set<(boardIds: string[]) => void>();
  private readonly controlListeners = new Set<(event: ControlEvent) => void>();
  private readonly heartbeat: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly options: CoordinationOptions,
    private readonly pool: pg.Pool,
  ) {
    this.heartbeat = setInterval(() => void this.beat(), Math.max(100, Math.floor(options.leaseMs / 5)));
    this.heartbeat.unref();
  }

  private log(message: string): void {
    this.options.log?.(message);
  }

  // ---- the commit session ------------------------------------------------

  /** The connection commits and ownership locks go through, connected on first use. */
  commitSession(): Promise<pg.Client> {
    if (this.closing) return Promise.reject(new Error("storage closed"));
    if (!this.session) {
      const attempt = this.connectSession();
      this.session = attempt;
      attempt.catch(() => {
        if (this.session === attempt) this.session = null;
      });
    }
    return this.session;
  }

  private async connectSession(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.options.url, ...CONNECTION_LIMITS });
    const lost = (error?: unknown) => this.sessionLost(client, error);
    client.on("error", lost);
    client.on("end", lost);
    try {
      await client.connect();
      // This session's backend is how other relays find the holder of a board's lock.
      await client.query(
        `INSERT INTO relays (relay_id, url, backend_pid, heartbeat_at) VALUES ($1, $2, pg_backend_pid(), now())
         ON CONFLICT (relay_id) DO UPDATE SET url = excluded.url, backend_pid = excluded.backend_pid, heartbeat_at = now()`,
        [this.options.relayId, this.advertisedUrl],
      );
    } catch (error) {
      client.removeListener("end", lost);
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  /** The session ended (terminated by a relay taking over, or PostgreSQL gone): every board is lost. */
  private sessionLost(client: pg.Client, error?: unknown): void {
    const current = this.session;
    if (!current) return;
    void current.then(
      (c) => {
        if (c !== client || this.session !== current) return;
        this.session = null;
        const lost = [...this.owned.keys()];
        this.owned.clear();
        void client.end().catch(() => undefined);
        if (!this.closing) this.log(`postgres: commit session ended (${String(error ?? "closed")})`);
        if (lost.length > 0) for (const listener of this.lostListeners) listener(lost);
      },
      () => undefined,
    );
  }

  private async beat(): Promise<void> {
    if (!this.session || this.closing) return;
    try {
      const client = await this.session;
      await client.query("UPDATE relays SET heartbeat_at = now() WHERE relay_id = $1", [this.options.relayId]);
    } catch {
      // A failed heartbeat is a lost session: sessionLost has been told by the client.
    }
  }

  async advertise(url: string): Promise<void> {
    this.advertisedUrl = url;
    if (!this.session) return;
    const client = await this.session;
    await client.query("UPDATE relays SET url = $2 WHERE relay_id = $1", [this.options.relayId, url]);
  }

  // ---- ownership -----------------------------------------------------------

  async claim(boardId: string): Promise<Claim> {
    const client = await this.commitSession();
    const mine = this.owned.get(boardId);
    if (mine?.valid) return { owner: "self" };
    if (mine) {
      // After a failed batch: a new epoch, so that ops of the failed room can never commit.
      mine.epoch = await this.bumpEpoch(client, boardId);
      mine.valid = true;
      return { owner: "self" };
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok", [
        OWNER_LOCK_CLASS,
        boardId,
      ]);
      if (rows[0]?.ok) {
        try {
          const epoch = await this.bumpEpoch(client, boardId);
          this.owned.set(boardId, { epoch, valid: true });
          return { owner: "self" };
        } catch (error) {
          await this.unlock(client, boardId);
          throw error;
        }
      }
      const holder = await this.holder(boardId);
      if (!holder) continue;
      if (holder.alive && holder.relayId !== this.options.relayId && holder.url) {
        return { owner: "other", url: holder.url };
      }
      // Its relay stopped heartbeating (frozen, cut off) or left this session behind:
      // end that session, so that nothing it still sends can commit, then take the lock.
      this.log(`postgres: board ${boardId}: taking over from a silent owner (backend ${holder.pid})`);
      await client.query("SELECT pg_terminate_backend($1, 5000)", [holder.pid]);
    }
    throw new Error(`board ${boardId}: could not take ownership`);
  }

  private async bumpEpoch(client: pg.Client, boardId: string): Promise<number> {
    // Waits for the share lock of a commit still in flight from the previous owner.
    const { rows } = await client.query<{ epoch: string }>(
      `INSERT INTO board_owners (board_id, relay_id, epoch) VALUES ($1, $2, 1)
       ON CONFLICT (board_id) DO UPDATE SET relay_id = excluded.relay_id, epoch = board_owners.epoch + 1
       RETURNING epoch`,
      [boardId, this.options.relayId],
    );
    return Number(rows[0]!.epoch);
  }

  private async unlock(client: pg.Client, boardId: string): Promise<void> {
    await client
      .query("SELECT pg_advisory_unlock($1, hashtext($2))", [OWNER_LOCK_CLASS, boardId])
      .catch(() => undefined);
  }

  async release(boardId: string): Promise<void> {
    if (!this.owned.delete(boardId) || !this.session) return;
    const client = await this.session.catch(() => null);
    if (client) await this.unlock(client, boardId);
  }

  /** The epoch this relay owns the board at, or -1: ops carry it from enqueue to commit. */
  epochOf(boardId: string): number {
    const owned = this.owned.get(boardId);
    return owned?.valid ? owned.epoch : -1;
  }

  /** A batch of theirs failed: what was enqueued before may depend on it, so a new claim is needed. */
  invalidate(boardIds: Iterable<string>): void {
    for (const id of boardIds) {
      const owned = this.owned.get(id);
      if (owned) owned.valid = false;
    }
  }

  private async holder(boardId: string): Promise<Holder | null> {
    const { rows } = await this.pool.query<{
      pid: number;
      relay_id: string | null;
      url: string | null;
      alive: boolean | null;
    }>(
      `SELECT l.pid, r.relay_id, r.url, r.heartbeat_at > now() - make_interval(secs => $3::float8 / 1000) AS alive
       FROM pg_locks l LEFT JOIN relays r ON r.backend_pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = hashtext($2)::oid
         AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       LIMIT 1`,
      [OWNER_LOCK_CLASS, boardId, this.options.leaseMs],
    );
    const row = rows[0];
    return row ? { pid: row.pid, relayId: row.relay_id, url: row.url, alive: row.alive === true } : null;
  }

  async ownerElsewhere(boardId: string): Promise<string | null> {
    if (this.owned.get(boardId)?.valid) return null;
    const holder = await this.holder(boardId);
    if (!holder || !holder.alive || holder.relayId === this.options.relayId) return null;
    return holder.url;
  }

  onOwnershipLost(listener: (boardIds: string[]) => void): void {
    this.lostListeners.add(listener);
  }

  // ---- control events ----------------------------------------------------

  async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.url,
      ...CONNECTION_LIMITS,
      query_timeout: undefined,
    });
    client.on("error", () => undefined);
    client.on("end", () => {
      if (this.listener !== client || this.closing) return;
      this.listener = null;
      // Events sent while it is away are missed; the owner still checks links on every connection.
      this.listenAgainSoon();
    });
    client.on("notification", (message) => {
      const event = parseControlEvent(message.payload);
      if (event) for (const listener of this.controlListeners) listener(event);
    });
    await client.connect();
    await client.query(`LISTEN ${CONTROL_CHANNEL}`);
    this.listener = client;
  }

  private listenAgainSoon(): void {
    setTimeout(() => {
      if (!this.closing) this.listen().catch(() => this.listenAgainSoon());
    }, 1000).unref();
  }

  async announce(event: ControlEvent): Promise<void> {
    // Rare (a delete, a revoked link): NOTIFY takes a database-wide lock at commit.
    await this.pool.query("SELECT pg_notify($1, $2)", [CONTROL_CHANNEL, JSON.stringify(event)]);
  }

  onControl(listener: (event: ControlEvent) => void): void {
    this.controlListeners.add(listener);
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    const session = this.session;
    this.session = null;
    this.owned.clear();
    const client = await session?.catch(() => null);
    if (client) {
      // Leaving cleanly: other relays may take its boards at once.
      await client.query("DELETE FROM relays WHERE relay_id = $1", [this.options.relayId]).catch(() => undefined);
      await client.end().catch(() => undefined);
    }
    await this.listener?.end().catch(() => undefined);
  }
}

/** Another relay's event, from NOTIFY: untrusted shape, checked before use. */
function parseControlEvent(payload: string | undefined): ControlEvent | null {
  try {
    const value = JSON.parse(payload ?? "") as Record<string, unknown>;
    if (typeof value.boardId !== "string") return null;
    if (value.type === "board-deleted") return { type: "board-deleted", boardId: value.boardId };
    if (value.type === "link-revoked" && (ROLES as readonly unknown[]).includes(value.role)) {
      return { type: "link-revoked", boardId: value.boardId, role: value.role as Role };
    }
  } catch {
    // not ours
  }
  return null;
}

import pg from "pg";
import { startPostgres, type PostgresCluster } from "@atelier/server/testing/postgresCluster";
import { spawnRelay, tempDataDir, removeDir, type ChildRelay } from "./relay.ts";
import { startBalancer, type Balancer } from "./balancer.ts";

/**
 * Several relay processes over one PostgreSQL server the test starts itself,
 * behind a TCP balancer: the deployment of docs/DEPLOY.md on one machine.
 */
export interface TestCluster {
  postgres: PostgresCluster;
  databaseUrl: string;
  relays: ChildRelay[];
  balancer: Balancer;
  /** Starts relay `i` again on its port (after a kill). */
  restart(i: number): Promise<ChildRelay>;
  /** Which relay owns the board now, by its index, from PostgreSQL; -1 when none has claimed it. */
  ownerOf(boardId: string): Promise<number>;
  query<T extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export async function startCluster({
  relays = 2,
  env = {},
  compiled = false,
}: { relays?: number; env?: Record<string, string>; compiled?: boolean } = {}): Promise<TestCluster> {
  const postgres = await startPostgres();
  const databaseUrl = await postgres.createDatabase();
  const dataDirs = Array.from({ length: relays }, () => tempDataDir());
  const relayEnv = { DATABASE_URL: databaseUrl, BOARD_CREATION: "anyone", OWNER_LEASE_MS: "1500", ...env };
  const started: ChildRelay[] = [];
  // One after the other: the first runs the migrations, the others find them done.
  for (const dir of dataDirs) started.push(await spawnRelay(dir, relayEnv, 0, { compiled }));
  const balancer = await startBalancer(() => started.map((r) => r.port));
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  db.on("error", () => undefined);
  const cluster: TestCluster = {
    postgres,
    databaseUrl,
    relays: started,
    balancer,
    async restart(i) {
      started[i] = await spawnRelay(dataDirs[i]!, relayEnv, started[i]!.port, { compiled });
      return started[i]!;
    },
    async ownerOf(boardId) {
      const rows = await cluster.query<{ url: string }>(
        "SELECT r.url FROM board_owners o JOIN relays r ON r.relay_id = o.relay_id WHERE o.board_id = $1",
        [boardId],
      );
      const url = rows[0]?.url;
      return url ? started.findIndex((r) => r.url === url) : -1;
    },
    async query(sql, values) {
      return (await db.query(sql, values)).rows;
    },
    async stop() {
      await balancer.close();
      await Promise.all(started.map((r) => (r.process.exitCode === null ? r.stop() : undefined)));
      await db.end().catch(() => undefined);
      postgres.stop();
      for (const dir of dataDirs) removeDir(dir);
    },
  };
  return cluster;
}

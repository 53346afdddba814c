import { join } from "node:path";
import { performance } from "node:perf_hooks";
import * as Y from "yjs";
import { SqliteStorage } from "@atelier/server/storage/sqliteStorage";
import { PostgresStorage } from "@atelier/server/storage/postgresStorage";
import type { Storage } from "@atelier/server/storage/storage";
import { startPostgres } from "@atelier/server/testing/postgresCluster";
import { tempDataDir, removeDir } from "@atelier/tests/support/relay.ts";
import type { Row } from "./lib.ts";

/** Durable updates per second, `perTurn` arriving in each event-loop turn, and the commits they took. */
async function rate(
  storage: Storage & { stats: { commits: number } },
  boardId: string,
  perTurn: number,
  total: number,
): Promise<{ opsPerSecond: number; commitsPerSecond: number }> {
  const update = Y.encodeStateAsUpdate(new Y.Doc());
  const t0 = performance.now();
  const commits0 = storage.stats.commits;
  for (let i = 0; i < total; i += perTurn) {
    for (let j = 0; j < perTurn; j++) void storage.enqueue({ type: "update", boardId, doc: "room", update });
    await storage.whenCommitted();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { opsPerSecond: total / seconds, commitsPerSecond: (storage.stats.commits - commits0) / seconds };
}

async function groupCommit(storage: Storage & { stats: { commits: number } }) {
  const boardId = "benchgroupcommit";
  await storage.createBoard({ id: boardId, joinCode: "GRPCMT", title: "bench", createdAt: Date.now() }, [], {});
  await storage.claim(boardId);
  const grouped = await rate(storage, boardId, 100, 20_000);
  const single = await rate(storage, boardId, 1, 2_000);
  return { grouped, single };
}

/**
 * Group commit on PostgreSQL beside SQLite, in the same run: each batch is
 * one statement (`atelier_commit`), so it keeps its factor over one commit
 * per update although pg does not pipeline. PostgreSQL runs on loopback with
 * fsync and synchronous_commit on.
 */
export async function benchPostgresStorage(): Promise<Row[]> {
  const dir = tempDataDir();
  const postgres = await startPostgres();
  const rows: Row[] = [];
  try {
    const sqlite = new SqliteStorage(join(dir, "gc.sqlite"));
    const onSqlite = await groupCommit(sqlite);
    await sqlite.close();
    const pg = await PostgresStorage.open({ url: await postgres.createDatabase(), relayId: "bench", leaseMs: 5_000 });
    const onPostgres = await groupCommit(pg);
    await pg.close();
    for (const [store, r] of [
      ["SQLite (synchronous=FULL)", onSqlite],
      ["PostgreSQL (synchronous_commit=on)", onPostgres],
    ] as const) {
      rows.push(
        {
          benchmark: "storage",
          workload: `${store}, 100 updates per turn`,
          metric: "durable updates / s (group commit)",
          value: `${r.grouped.opsPerSecond.toFixed(0)} (${r.grouped.commitsPerSecond.toFixed(0)} commits/s)`,
        },
        {
          benchmark: "storage",
          workload: `${store}, 1 update per turn`,
          metric: "durable updates / s (one commit each)",
          value: r.single.opsPerSecond.toFixed(0),
        },
        {
          benchmark: "storage",
          workload: `${store}: group commit / one commit each`,
          metric: "ratio",
          value: `${(r.grouped.opsPerSecond / r.single.opsPerSecond).toFixed(1)}×`,
        },
      );
    }
    rows.push({
      benchmark: "storage",
      workload: "group commit, PostgreSQL / SQLite",
      metric: "ratio",
      value: `${(onPostgres.grouped.opsPerSecond / onSqlite.grouped.opsPerSecond).toFixed(2)}×`,
    });
  } finally {
    postgres.stop();
    removeDir(dir);
  }
  return rows;
}

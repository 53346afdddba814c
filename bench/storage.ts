import { statSync, existsSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import * as Y from "yjs";
import { SqliteStorage } from "@atelier/server/storage/sqliteStorage";
import { loadBoard } from "@atelier/server/rooms/rooms";
import { Room } from "@atelier/server/rooms/room";
import { createBoard } from "@atelier/server/rooms/boards";
import { notesMap } from "@atelier/shared/document/docLayout";
import { tempDataDir, removeDir } from "@atelier/tests/support/relay.ts";
import { seededRandom } from "@atelier/tests/support/random.ts";
import type { Row } from "./lib.ts";

const OPTIONS = { compactAfter: 1_000_000_000, idleUnloadMs: 3_600_000, autoSnapshotMs: 0, log: () => undefined };

function diskBytes(file: string): number {
  return [file, `${file}-wal`].filter(existsSync).reduce((sum, f) => sum + statSync(f).size, 0);
}

async function newBoard(storage: SqliteStorage): Promise<string> {
  const { boardId } = await createBoard(storage, "http://bench", {
    title: "Bench",
    date: "2026-11-30",
    prompts: ["A", "B", "C"],
    categories: ["Éducation", "Santé"],
  });
  return boardId;
}

/** A realistic day: 1,000 notes, 5,000 moves of their post-its, 200 pen sketches, each its own update. */
async function simulateDay(room: Room): Promise<void> {
  const random = seededRandom(42);
  const doc = room.docs.room;
  // Each step its own commit, as screens and phones make them; awaited together at the end.
  const commits: Promise<unknown>[] = [];
  const change = (edit: () => void) => commits.push(room.commit({ edit: (docs) => docs.room.transact(edit, "bench") }));
  const canvas = doc.getMap<Record<string, unknown>>("canvas-bench");
  for (let i = 0; i < 1000; i++) {
    const id = `note-${i}`;
    change(() => {
      notesMap(doc).set(id, {
        id,
        text: `Note ${i} : mieux repérer les signaux faibles et orienter vers les bons partenaires.`,
        prompt: "p1",
        category: "c1",
        author: "",
        createdAt: i,
        updatedAt: i,
        status: "visible",
      });
      canvas.set(`shape:${id}`, { id: `shape:${id}`, type: "note", x: i * 10, y: 0, props: { noteId: id } });
    });
  }
  for (let m = 0; m < 5000; m++) {
    const id = `shape:note-${Math.floor(random() * 1000)}`;
    change(() => canvas.set(id, { ...canvas.get(id), x: random() * 5000, y: random() * 3000 }));
  }
  for (let s = 0; s < 200; s++) {
    const points = Array.from({ length: 60 }, () => ({ x: random() * 100, y: random() * 100, z: 0.5 }));
    change(() =>
      canvas.set(`shape:draw-${s}`, {
        type: "draw",
        x: random() * 4000,
        y: 0,
        props: { segments: [{ type: "free", points }] },
      }),
    );
  }
  await Promise.all(commits);
}

export async function benchStorage(): Promise<Row[]> {
  const rows: Row[] = [];
  const dir = tempDataDir();
  try {
    const file = join(dir, "day.sqlite");
    let storage = new SqliteStorage(file);
    const boardId = await newBoard(storage);
    const room = await new Room(boardId, storage, OPTIONS, await loadBoard(storage, boardId), () => undefined);
    await simulateDay(room);
    await storage.whenCommitted();
    storage.db.pragma("wal_checkpoint(TRUNCATE)");
    const before = diskBytes(file);
    const logRows = (storage.db.prepare("SELECT count(*) AS n FROM updates").get() as { n: number }).n;
    room.compact("room");
    await new Promise((r) => setImmediate(r));
    await storage.whenCommitted();
    storage.db.pragma("wal_checkpoint(TRUNCATE)");
    storage.db.exec("VACUUM");
    storage.db.pragma("wal_checkpoint(TRUNCATE)");
    const after = diskBytes(file);
    const stateBytes = Y.encodeStateAsUpdate(room.docs.room).length;
    const workload = "1,000 notes + 5,000 moves + 200 sketches";
    rows.push(
      {
        benchmark: "storage",
        workload,
        metric: "database before compaction",
        value: `${(before / 1024).toFixed(0)} KiB (${logRows} log rows)`,
      },
      {
        benchmark: "storage",
        workload,
        metric: "database after compaction",
        value: `${(after / 1024).toFixed(0)} KiB (state ${(stateBytes / 1024).toFixed(0)} KiB)`,
      },
    );
    room.shutDown(1001, "bench");
    await storage.close();

    // Cold load of a board whose log holds 100,000 updates, and of the same board compacted.
    const bigFile = join(dir, "big.sqlite");
    storage = new SqliteStorage(bigFile);
    const bigId = await newBoard(storage);
    const big = new Room(bigId, storage, OPTIONS, await loadBoard(storage, bigId), () => undefined);
    const map = big.docs.room.getMap("canvas-bench");
    for (let i = 0; i < 100_000; i++)
      big.docs.room.transact(() => map.set(`shape:${i % 2000}`, { x: i, y: i }), "bench");
    await storage.whenCommitted();
    big.shutDown(1001, "bench");
    await storage.close();
    const timeLoad = async () => {
      const s = new SqliteStorage(bigFile);
      const t0 = performance.now();
      const r = new Room(bigId, s, OPTIONS, await loadBoard(s, bigId), () => undefined);
      const ms = performance.now() - t0;
      r.compact("room");
      await new Promise((res) => setImmediate(res));
      await s.whenCommitted();
      r.shutDown(1001, "bench");
      await s.close();
      return ms;
    };
    const coldLog = await timeLoad();
    const coldCompacted = await timeLoad();
    rows.push(
      {
        benchmark: "storage",
        workload: "board with 100,000 logged updates",
        metric: "cold load",
        value: `${coldLog.toFixed(0)} ms`,
        goal: "≤ 200 ms",
        met: coldLog <= 200,
      },
      {
        benchmark: "storage",
        workload: "same board, compacted",
        metric: "cold load",
        value: `${coldCompacted.toFixed(0)} ms`,
      },
    );

    // Group commit: 20,000 updates arriving 100 per event-loop turn vs one per turn.
    const gcFile = join(dir, "gc.sqlite");
    storage = new SqliteStorage(gcFile);
    const gcId = await newBoard(storage);
    const update = Y.encodeStateAsUpdate(new Y.Doc());
    const rate = async (perTurn: number, total: number) => {
      const t0 = performance.now();
      const commits0 = storage.stats.commits;
      for (let i = 0; i < total; i += perTurn) {
        for (let j = 0; j < perTurn; j++) void storage.enqueue({ type: "update", boardId: gcId, doc: "room", update });
        await storage.whenCommitted();
      }
      const seconds = (performance.now() - t0) / 1000;
      return { opsPerSecond: total / seconds, commitsPerSecond: (storage.stats.commits - commits0) / seconds };
    };
    const grouped = await rate(100, 20_000);
    const single = await rate(1, 2_000);
    rows.push(
      {
        benchmark: "storage",
        workload: "synchronous=FULL, 100 updates per turn",
        metric: "durable updates / s (group commit)",
        value: `${grouped.opsPerSecond.toFixed(0)} (${grouped.commitsPerSecond.toFixed(0)} commits/s)`,
      },
      {
        benchmark: "storage",
        workload: "synchronous=FULL, 1 update per turn",
        metric: "durable updates / s (one commit each)",
        value: `${single.opsPerSecond.toFixed(0)}`,
      },
      {
        benchmark: "storage",
        workload: "group commit / one commit each",
        metric: "ratio",
        value: `${(grouped.opsPerSecond / single.opsPerSecond).toFixed(1)}×`,
      },
    );
    await storage.close();
  } finally {
    removeDir(dir);
  }
  return rows;
}

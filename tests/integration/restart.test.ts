import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { startTestRelay, createTestBoard, removeDir, tempDataDir } from "../support/relay.ts";
import { connectScreen, waitFor } from "../support/screens.ts";

describe("restart and compaction", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach(removeDir));

  it("reopens a board of 10,000 logged updates with identical content, its log compacted", async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    // Compaction far away, so that the log really holds 10,000 entries at shutdown.
    let relay = await startTestRelay({ dataDir, compactAfter: 1_000_000 });
    const board = await createTestBoard(relay.localUrl);
    // Each transaction is one logged update, as if 10,000 edits had arrived one by one.
    const room = await relay.rooms.open(board.boardId);
    const canvas = room.docs.room.getMap("canvas-test");
    for (let i = 0; i < 10_000; i++)
      room.docs.room.transact(() => canvas.set(`shape${i % 500}`, { x: i, y: i * 2 }), "test");
    await relay.storage.whenCommitted();
    expect(logRows(relay, board.boardId)).toBeGreaterThanOrEqual(10_000);
    const before = Y.encodeStateAsUpdate(room.docs.room);
    await relay.close();

    relay = await startTestRelay({ dataDir, compactAfter: 500 });
    const reopened = await relay.rooms.open(board.boardId);
    await relay.storage.whenCommitted();
    expect(logRows(relay, board.boardId)).toBe(1);
    const g = connectScreen(relay.localUrl, board.boardId, board.tokens.facilitator);
    await g.synced();
    const fresh = new Y.Doc();
    Y.applyUpdate(fresh, before);
    expect(g.doc.getMap("canvas-test").toJSON()).toEqual(fresh.getMap("canvas-test").toJSON());
    expect(reopened.docs.room.getMap("settings").toJSON()).toEqual(fresh.getMap("settings").toJSON());
    g.destroy();
    await relay.close();
  });

  it("compacts a busy log as it grows, and when the board goes idle", async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const relay = await startTestRelay({ dataDir, compactAfter: 50, idleUnloadMs: 200 });
    const board = await createTestBoard(relay.localUrl);
    const f = connectScreen(relay.localUrl, board.boardId, board.tokens.facilitator);
    await f.synced();
    // Paced like a person dragging, under the screens' message rate limit.
    for (let i = 0; i < 500; i++) {
      f.doc.getMap("canvas-test").set(`k${i}`, i);
      if (i % 10 === 9) await new Promise((r) => setTimeout(r, 50));
    }
    const room = await relay.rooms.open(board.boardId);
    await waitFor(() => room.docs.room.getMap("canvas-test").size === 500);
    await relay.storage.whenCommitted();
    expect(logRows(relay, board.boardId)).toBeLessThanOrEqual(52);
    f.destroy();
    await waitFor(() => relay.rooms.peek(board.boardId) === undefined, 5_000, "idle unload");
    await relay.storage.whenCommitted();
    expect(logRows(relay, board.boardId)).toBe(1);
    const g = connectScreen(relay.localUrl, board.boardId, board.tokens.facilitator);
    await g.synced();
    expect(g.doc.getMap("canvas-test").size).toBe(500);
    g.destroy();
    await relay.close();
  });
});

function logRows(relay: Awaited<ReturnType<typeof startTestRelay>>, boardId: string): number {
  const db = (relay.storage as unknown as { db: import("better-sqlite3").Database }).db;
  return (
    db.prepare("SELECT count(*) AS n FROM updates WHERE board_id = ? AND doc = 'room'").get(boardId) as { n: number }
  ).n;
}

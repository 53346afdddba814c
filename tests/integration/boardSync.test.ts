import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CloseCode } from "@atelier/shared/wire/closeCodes";
import { startTestRelay, createTestBoard, removeDir } from "../support/relay.ts";
import { connectScreen, waitFor } from "../support/screens.ts";
import { holdSendsUntilSynced } from "../../client/src/board/docChanges.ts";

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;

describe("board sync between screens", () => {
  let relay: TestRelay;
  const cleanups: (() => void)[] = [];

  beforeEach(async () => {
    relay = await startTestRelay();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0)) c();
    await relay.close();
    removeDir(relay.dataDir);
  });

  function screen(boardId: string, token: string, doc: "room" | "inbox" = "room") {
    const s = connectScreen(relay.localUrl, boardId, token, doc);
    cleanups.push(s.destroy);
    return s;
  }

  it("two facilitators converge and a projector sees every change", async () => {
    const board = await createTestBoard(relay.localUrl);
    const a = screen(board.boardId, board.tokens.facilitator);
    const b = screen(board.boardId, board.tokens.facilitator);
    const p = screen(board.boardId, board.tokens.projector);
    await Promise.all([a.synced(), b.synced(), p.synced()]);

    a.doc.getArray("canvas").push([{ id: "shape:a", x: 1 }]);
    b.doc.getArray("canvas").push([{ id: "shape:b", x: 2 }]);
    b.doc.getMap("settings").set("title", "Renamed by B");

    const ids = (d: Y.Doc) =>
      d
        .getArray<{ id: string }>("canvas")
        .toArray()
        .map((r) => r.id)
        .sort();
    await waitFor(() => ids(a.doc).length === 2 && ids(b.doc).length === 2 && ids(p.doc).length === 2);
    expect(ids(a.doc)).toEqual(["shape:a", "shape:b"]);
    expect(Y.encodeStateAsUpdate(a.doc)).toEqual(Y.encodeStateAsUpdate(b.doc));
    await waitFor(() => p.doc.getMap("settings").get("title") === "Renamed by B");
    // The settings written at creation reached every screen.
    expect((p.doc.getMap("settings").get("prompts") as unknown[]).length).toBe(3);
  });

  it("refuses a projector's writes: they reach neither the document nor the disk", async () => {
    const board = await createTestBoard(relay.localUrl);
    const f = screen(board.boardId, board.tokens.facilitator);
    const p = screen(board.boardId, board.tokens.projector);
    await Promise.all([f.synced(), p.synced()]);
    const rowsBefore = countUpdates(relay, board.boardId);

    for (let i = 0; i < 3; i++) p.doc.getMap("settings").set("title", `hacked ${i}`);
    await waitFor(() => p.closes.includes(CloseCode.Forbidden), 5000, "projector closed as forbidden");
    p.provider.disconnect();

    const room = await relay.rooms.open(board.boardId);
    expect(room.docs.room.getMap("settings").get("title")).toBe("Journée interprofessionnelle");
    expect(f.doc.getMap("settings").get("title")).toBe("Journée interprofessionnelle");
    expect(countUpdates(relay, board.boardId)).toBe(rowsBefore);

    // The facilitator still works after the projector was thrown out.
    f.doc.getMap("settings").set("title", "Legit");
    await waitFor(() => room.docs.room.getMap("settings").get("title") === "Legit");
  });

  it("[R7] refuses a facilitator's note or vote written over Yjs: only the relay writes them", async () => {
    const board = await createTestBoard(relay.localUrl);
    const f = screen(board.boardId, board.tokens.facilitator);
    await f.synced();
    const rowsBefore = countUpdates(relay, board.boardId);
    f.doc.getMap("notes").set("note-forged-0001", { id: "note-forged-0001", text: "nom et téléphone d'un élève" });
    await waitFor(() => f.closes.includes(CloseCode.Forbidden), 5000, "facilitator closed as forbidden");
    f.provider.disconnect();

    const room = await relay.rooms.open(board.boardId);
    expect(room.docs.room.getMap("notes").has("note-forged-0001")).toBe(false);
    expect(countUpdates(relay, board.boardId)).toBe(rowsBefore);
    // A fresh screen of the same link still works and draws on the canvas.
    const again = screen(board.boardId, board.tokens.facilitator);
    await again.synced();
    again.doc.getArray("canvas").push([{ key: "shape:ok", val: { id: "shape:ok" } }]);
    await waitFor(() => room.docs.room.getArray("canvas").length === 1);
  });

  it("keeps the inbox from projectors and coordinators", async () => {
    const board = await createTestBoard(relay.localUrl);
    const p = screen(board.boardId, board.tokens.projector, "inbox");
    const c = screen(board.boardId, board.tokens.coordinator, "inbox");
    await waitFor(() => p.closes.includes(CloseCode.Forbidden) && c.closes.includes(CloseCode.Forbidden));
    p.provider.disconnect();
    c.provider.disconnect();
    const f = screen(board.boardId, board.tokens.facilitator, "inbox");
    await f.synced();
  });
  it("a board page holding its sends until the first sync loses no change, even one made during that sync", async () => {
    const board = await createTestBoard(relay.localUrl);
    const page = screen(board.boardId, board.tokens.facilitator);
    holdSendsUntilSynced(page.provider);
    // Held for real: no listener left to make Yjs encode the first sync.
    const observers = (page.doc as unknown as { _observers: Map<string, Set<unknown>> })._observers;
    expect(observers.get("update")?.size ?? 0).toBe(0);
    const canvas = page.doc.getArray<{ id: string }>("canvas");
    // A change made while the relay's state is being applied: no update is sent for it,
    // so the page must connect again for the handshake to carry it.
    let during = false;
    page.doc.on("afterTransaction", (transaction: Y.Transaction) => {
      if (transaction.local || during) return;
      during = true;
      page.doc.transact(() => canvas.push([{ id: "shape:during-sync" }]));
    });
    await page.synced();
    // No later change from this page: one would reveal the gap in its clock to the relay,
    // which would ask for a resync by itself.

    const reader = screen(board.boardId, board.tokens.projector);
    await reader.synced();
    const ids = () =>
      reader.doc
        .getArray<{ id: string }>("canvas")
        .toArray()
        .map((r) => r.id);
    await waitFor(() => ids().includes("shape:during-sync"), 10_000, "the change made during the first sync");
    expect(during).toBe(true);
  });
});

function countUpdates(relay: TestRelay, boardId: string): number {
  const db = (relay.storage as unknown as { db: import("better-sqlite3").Database }).db;
  return (db.prepare("SELECT count(*) AS n FROM updates WHERE board_id = ?").get(boardId) as { n: number }).n;
}

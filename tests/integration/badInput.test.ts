import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import * as encoding from "lib0/encoding";
import { CloseCode } from "@atelier/shared/wire/closeCodes";
import { SyncMessage, SyncStep, boardSocketPath } from "@atelier/shared/wire/syncProtocol";
import { LIMITS } from "@atelier/shared/wire/limits";
import { startTestRelay, createTestBoard, removeDir } from "../support/relay.ts";
import { connectScreen, waitFor } from "../support/screens.ts";
import { boardDigest } from "../support/db.ts";

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;

/** Opens a raw socket, sends frames, and resolves with the close code and reason. */
function rawScreen(url: string, frames: (Uint8Array | string)[]): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on("open", () => frames.forEach((f) => ws.send(f)));
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on("error", (e) => (e.message.includes("closed") ? undefined : reject(e)));
  });
}

function syncUpdate(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, SyncMessage.sync);
  encoding.writeVarUint(e, SyncStep.update);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

describe("bad input on the board sockets", () => {
  let relay: TestRelay;
  let board: Awaited<ReturnType<typeof createTestBoard>>;
  let wsBase: string;
  let watcher: ReturnType<typeof connectScreen>;

  beforeAll(async () => {
    relay = await startTestRelay();
    board = await createTestBoard(relay.localUrl);
    wsBase = relay.localUrl.replace("http", "ws") + boardSocketPath(board.boardId);
    // A healthy facilitator stays connected through all of it.
    watcher = connectScreen(relay.localUrl, board.boardId, board.tokens.facilitator);
    await watcher.synced();
  });
  afterAll(async () => {
    watcher.destroy();
    await relay.close();
    removeDir(relay.dataDir);
  });

  const facilitatorUrl = () => `${wsBase}/room?token=${board.tokens.facilitator}`;

  it.each([
    ["an unknown message type", new Uint8Array([9, 0, 0])],
    ["a truncated sync message", new Uint8Array([0])],
    ["an unknown sync step", new Uint8Array([0, 7, 1, 0])],
    ["an update that is not a Yjs update", syncUpdate(new Uint8Array([250, 250, 250, 1, 2, 3]))],
    ["a text frame", "hello"],
  ])("closes on %s with 4400, storing nothing", async (_name, frame) => {
    const before = boardDigest(relay, board.boardId);
    const { code } = await rawScreen(facilitatorUrl(), [frame]);
    expect(code).toBe(CloseCode.BadMessage);
    await relay.storage.whenCommitted();
    expect(boardDigest(relay, board.boardId)).toBe(before);
  });

  it("closes an oversized frame with 1009", async () => {
    const { code } = await rawScreen(facilitatorUrl(), [new Uint8Array(LIMITS.screenFrameBytes + 1)]);
    expect(code).toBe(CloseCode.MessageTooBig);
  });

  it("refuses unknown boards, wrong tokens and revoked tokens with documented codes", async () => {
    expect(
      (await rawScreen(`${relay.localUrl.replace("http", "ws")}/ws/board/nosuchboard/room?token=x`, [])).code,
    ).toBe(CloseCode.UnknownBoard);
    expect((await rawScreen(`${wsBase}/room?token=wrong-token-wrong-token`, [])).code).toBe(CloseCode.Unauthorized);
    expect((await rawScreen(`${wsBase}/room`, [])).code).toBe(CloseCode.Unauthorized);

    const other = await createTestBoard(relay.localUrl);
    const crossBoard = await rawScreen(`${wsBase}/room?token=${other.tokens.facilitator}`, []);
    expect(crossBoard.code).toBe(CloseCode.Unauthorized);

    const rotated = await fetch(`${relay.localUrl}/api/boards/${other.boardId}/links/projector`, {
      method: "POST",
      headers: { Authorization: `Bearer ${other.tokens.facilitator}` },
    });
    expect(rotated.status).toBe(200);
    const revokedUrl = `${relay.localUrl.replace("http", "ws")}${boardSocketPath(other.boardId)}/room?token=${other.tokens.projector}`;
    expect((await rawScreen(revokedUrl, [])).code).toBe(CloseCode.Unauthorized);
    const newToken = new URL(((await rotated.json()) as { link: string }).link).hash.slice(5);
    const fresh = connectScreen(relay.localUrl, other.boardId, newToken);
    await fresh.synced();
    fresh.destroy();
  });

  it("answers unknown paths and bad HTTP requests with clear JSON errors", async () => {
    const res = await fetch(`${relay.localUrl}/api/boards/nosuchboard`, { headers: { Authorization: "Bearer x" } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "no_such_board" });
    const wrong = await fetch(`${relay.localUrl}/api/boards/${board.boardId}`, {
      headers: { Authorization: "Bearer nope-nope-nope" },
    });
    expect(wrong.status).toBe(401);
    const badJson = await fetch(`${relay.localUrl}/api/boards`, { method: "POST", body: "{not json" });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: string }).error).toBe("invalid_json");
    const missing = await fetch(`${relay.localUrl}/api/boards`, {
      method: "POST",
      body: JSON.stringify({ title: "" }),
    });
    expect(missing.status).toBe(400);
  });

  it("leaves the healthy facilitator connected and working", async () => {
    expect(watcher.provider.wsconnected).toBe(true);
    watcher.doc.getMap("settings").set("title", "Still here");
    const room = await relay.rooms.open(board.boardId);
    await waitFor(() => room.docs.room.getMap("settings").get("title") === "Still here");
  });
});

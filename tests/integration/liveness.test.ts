import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect as netConnect, type Socket } from "node:net";
import { randomBytes } from "node:crypto";
import { LIVENESS } from "@atelier/shared/wire/liveness";
import { PHONE_PROTOCOL_VERSION } from "@atelier/shared/wire/protocol";
import { boardSocketPath, phoneSocketPath } from "@atelier/shared/wire/syncProtocol";
import { createTestBoard, removeDir, startTestRelay } from "../support/relay.ts";
import { connectScreen, waitFor } from "../support/screens.ts";

/** A masked client text frame, as a browser would send it (short payloads only). */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text, "utf8");
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

/**
 * A TCP client that completes the WebSocket handshake, optionally sends
 * frames, then never reads or answers again: a phone that went to sleep.
 * Resolves `closed` with the time the relay ended the TCP connection.
 */
async function silentPeer(port: number, path: string, frames: Buffer[] = []) {
  const socket: Socket = netConnect(port, "127.0.0.1");
  const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(Date.now())));
  socket.on("error", () => undefined);
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const head = await new Promise<string>((resolve) =>
    socket.once("data", (d: Buffer) => resolve(d.toString("latin1"))),
  );
  expect(head).toMatch(/^HTTP\/1\.1 101/);
  for (const frame of frames) socket.write(frame);
  // Read and drop everything: pings go unanswered, as on a phone that went to sleep.
  socket.on("data", () => undefined);
  return { opened: Date.now(), closed, destroy: () => socket.destroy() };
}

describe("connections that notice their peer is gone", () => {
  let relay: Awaited<ReturnType<typeof startTestRelay>>;
  beforeAll(async () => {
    relay = await startTestRelay({ idleUnloadMs: 1_000 });
  });
  afterAll(async () => {
    await relay?.close();
    if (relay) removeDir(relay.dataDir);
  });

  it("closes silent phone and board sockets within 50 s, unloads their board, and keeps idle stock clients", async () => {
    const port = new URL(relay.localUrl).port;
    const silentBoard = await createTestBoard(relay.localUrl);
    const idleBoard = await createTestBoard(relay.localUrl);
    const phone = await silentPeer(Number(port), phoneSocketPath(silentBoard.joinCode), [
      textFrame(JSON.stringify({ type: "hello", v: PHONE_PROTOCOL_VERSION, participant: "silent-phone-0001" })),
    ]);
    const screen = await silentPeer(
      Number(port),
      `${boardSocketPath(silentBoard.boardId)}/room?token=${silentBoard.tokens.projector}`,
    );
    // Stock y-websocket 3.1.0 clients, idle: a projector, and a coordinator whose awareness the relay ignores.
    const stock = [
      connectScreen(relay.localUrl, idleBoard.boardId, idleBoard.tokens.projector),
      connectScreen(relay.localUrl, idleBoard.boardId, idleBoard.tokens.coordinator),
    ];
    await Promise.all(stock.map((s) => s.synced()));
    await waitFor(() => relay.rooms.peek(silentBoard.boardId) !== undefined, 5_000, "the silent board to load");

    const [phoneClosed, screenClosed] = await Promise.all([phone.closed, screen.closed]);
    expect(phoneClosed - phone.opened).toBeLessThan(50_000);
    expect(screenClosed - screen.opened).toBeLessThan(50_000);
    // Not before the bound: a slow but live peer gets its full 30 s.
    expect(phoneClosed - phone.opened).toBeGreaterThanOrEqual(LIVENESS.deadAfterMs);
    await waitFor(() => relay.rooms.peek(silentBoard.boardId) === undefined, 5_000, "the silent board to unload");

    // The stock clients stayed two minutes without a single reconnection.
    await new Promise((r) => setTimeout(r, 120_000 - (Date.now() - phone.opened)));
    for (const s of stock) {
      expect(s.closes).toEqual([]);
      expect(s.provider.wsconnected).toBe(true);
    }
    expect(relay.rooms.peek(idleBoard.boardId)).toBeDefined();
    for (const s of stock) s.destroy();
    phone.destroy();
    screen.destroy();
  }, 180_000);
});

import WebSocket from "ws";
import { performance } from "node:perf_hooks";
import { nanoid } from "nanoid";
import { phoneSocketPath } from "@atelier/shared/wire/syncProtocol";
import { PHONE_PROTOCOL_VERSION } from "@atelier/shared/wire/protocol";
import { backoffDelay } from "../../client/src/backoff.ts";
import { spawnRelay, createTestBoard, type ChildRelay } from "./relay.ts";
import { connectScreen, waitFor } from "./screens.ts";

/** A phone that reconnects as the real page does: backoff with jitter, hello, welcome. */
class ReconnectingPhone {
  welcomed = false;
  private attempt = 0;
  private ws: WebSocket | null = null;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly participant = nanoid(),
  ) {
    this.open();
  }

  private open(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.on("open", () =>
      ws.send(JSON.stringify({ type: "hello", v: PHONE_PROTOCOL_VERSION, participant: this.participant })),
    );
    ws.on("message", (data) => {
      if (JSON.parse(data.toString()).type === "welcome") {
        this.welcomed = true;
        this.attempt = 0;
      }
    });
    ws.on("error", () => undefined);
    ws.on("close", () => {
      this.welcomed = false;
      if (!this.stopped) setTimeout(() => this.open(), backoffDelay(this.attempt++));
    });
  }

  stop(): void {
    this.stopped = true;
    this.ws?.terminate();
  }
}

export interface StormReport {
  phones: number;
  screens: number;
  /** From the restarted relay being ready to every phone welcomed and every screen in sync. */
  recoveryMs: number;
}

/**
 * `phones` phones and `screens` facilitator screens connected; the relay is
 * SIGKILLed and restarted on the same port; how long until everyone is back?
 * "In sync" means each screen holds the note posted after the restart.
 */
export async function reconnectionStorm(dataDir: string, phones: number, screens: number): Promise<StormReport> {
  let relay: ChildRelay = await spawnRelay(dataDir, { BOARD_CREATION: "anyone" });
  const board = await createTestBoard(relay.url);
  const wsUrl = relay.url.replace("http", "ws") + phoneSocketPath(board.joinCode);
  const clients = Array.from({ length: phones }, () => new ReconnectingPhone(wsUrl));
  const boards = Array.from({ length: screens }, () =>
    connectScreen(relay.url, board.boardId, board.tokens.facilitator),
  );
  try {
    await waitFor(
      () => clients.every((c) => c.welcomed) && boards.every((b) => b.provider.synced),
      30_000,
      "first connections",
    );
    await relay.kill();
    relay = await spawnRelay(dataDir, { BOARD_CREATION: "anyone" }, relay.port);
    const start = performance.now();
    // A note written after the restart must reach every screen.
    const writer = boards[0]!;
    await waitFor(() => writer.provider.synced, 30_000, "writer back");
    const marker = `after-restart-${nanoid(6)}`;
    writer.doc.getMap("canvas-test").set(marker, 1);
    await waitFor(
      () =>
        clients.every((c) => c.welcomed) &&
        boards.every((b) => b.provider.synced && b.doc.getMap("canvas-test").has(marker)),
      30_000,
      "everyone back and in sync",
    );
    return { phones, screens, recoveryMs: performance.now() - start };
  } finally {
    clients.forEach((c) => c.stop());
    boards.forEach((b) => b.destroy());
    await relay.stop();
  }
}

/**
 * The WebSocket session life cycle both socket drivers share: open (and
 * learn why a socket did not open), watch for the relay's close, then end the
 * session politely or rudely and record who closed it with which code, which
 * is what the report's close counts are made of.
 */
import WebSocket from "ws";
import { bump, type Ctx } from "./context.ts";
import { sleep, type Rand } from "./rand.ts";
import type { Endpoint } from "./report.ts";

/**
 * Opens a socket; resolves once open, or with the reason it did not open.
 * `onOpen` runs inside the `open` event, before `ws` reads a close frame that
 * came with the handshake's answer.
 */
export function openSocket(
  url: string,
  onOpen?: (ws: WebSocket) => void,
): Promise<{ ws: WebSocket } | { refused: string }> {
  return new Promise((resolve) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 5_000, maxPayload: 64 * 1024 * 1024 });
    } catch (error) {
      resolve({ refused: `client:${(error as Error).message.slice(0, 40)}` });
      return;
    }
    ws.once("open", () => {
      onOpen?.(ws);
      resolve({ ws });
    });
    ws.once("unexpected-response", (_req, res) => {
      resolve({ refused: `http ${res.statusCode ?? "?"}` });
      res.resume();
      ws.terminate();
    });
    ws.on("error", (error: Error & { code?: string }) =>
      resolve({ refused: error.code ?? error.message.slice(0, 60) }),
    );
  });
}

interface SessionEnd {
  code: number | null;
  reason: string;
  /** True when the fuzzer closed the socket itself. */
  ours: boolean;
}

export function watchClose(ws: WebSocket): { ended: Promise<SessionEnd>; markOurs(): void; state: SessionEnd | null } {
  let ours = false;
  const watcher = {
    state: null as SessionEnd | null,
    ended: new Promise<SessionEnd>((resolve) =>
      ws.once("close", (code: number, reason: Buffer) => {
        watcher.state = { code, reason: reason.toString(), ours };
        resolve(watcher.state);
      }),
    ),
    markOurs: () => (ours = true),
  };
  ws.on("error", () => undefined);
  return watcher;
}

export async function finishSession(
  ctx: Ctx,
  endpoint: Endpoint,
  ws: WebSocket,
  watcher: ReturnType<typeof watchClose>,
  r: Rand,
): Promise<void> {
  // Give the relay a moment to close on its own, then close politely (or just vanish).
  const relayClose = await Promise.race([watcher.ended, sleep(r.chance(0.3) ? 200 : 20).then(() => null)]);
  if (!relayClose) {
    watcher.markOurs();
    if (r.chance(0.8)) ws.close(1000);
    else ws.terminate();
  }
  const end = await Promise.race([watcher.ended, sleep(5_000).then(() => null)]);
  if (!end) {
    bump(ctx.report.errors, `${endpoint}: no close within 5 s`);
    ws.terminate();
    return;
  }
  // A code of our own (1000 sent, 1005 echoed, 1006 after terminate) is ours; any other came from the relay.
  const ours = end.ours && (end.code === 1000 || end.code === 1005 || end.code === 1006);
  bump(ctx.report.closes[endpoint], ours ? "by the fuzzer" : String(end.code));
}

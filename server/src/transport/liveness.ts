import type { WebSocket } from "ws";
import { CloseCode } from "@atelier/shared/wire/closeCodes";
import { LIVENESS } from "@atelier/shared/wire/liveness";

interface Watched {
  lastHeard: number;
  lastPinged: number;
  /** Sent with every ping: what keeps a stock client that cannot see pings from giving up. */
  keepAlive?: () => void;
}

/**
 * Notices sockets whose peer is gone without closing them (a phone asleep,
 * a laptop out of range): every socket silent for `LIVENESS.pingIntervalMs`
 * is pinged (one heard from meanwhile needs no ping), a connection's
 * keep-alive runs on that same schedule whatever the peer says, and a
 * socket that has answered nothing, neither a pong nor a message, for
 * `LIVENESS.deadAfterMs` is closed with
 * `CloseCode.NoAnswer`. Closing frees its per-address slot and lets its
 * board unload, exactly as a clean close does.
 *
 * One timer for every socket: 2,000 sockets cost one sweep every 5 s.
 */
export class Liveness {
  private readonly sockets = new Map<WebSocket, Watched>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.timer = setInterval(() => this.sweep(), LIVENESS.sweepEveryMs);
    this.timer.unref();
  }

  watch(ws: WebSocket): void {
    const entry: Watched = { lastHeard: this.now(), lastPinged: this.now() };
    this.sockets.set(ws, entry);
    const heard = () => void (entry.lastHeard = this.now());
    ws.on("pong", heard);
    ws.on("message", heard);
    ws.once("close", () => this.sockets.delete(ws));
  }

  /** Set once the socket is attached to a connection that knows its protocol. */
  setKeepAlive(ws: WebSocket, keepAlive: () => void): void {
    const entry = this.sockets.get(ws);
    if (entry) entry.keepAlive = keepAlive;
  }

  private sweep(): void {
    const now = this.now();
    for (const [ws, entry] of this.sockets) {
      if (now - entry.lastHeard > LIVENESS.deadAfterMs) {
        this.sockets.delete(ws);
        ws.close(CloseCode.NoAnswer, "no answer to pings");
        // A dead peer never answers the close frame: do not wait the 30 s `ws` would.
        setTimeout(() => ws.terminate(), 1_000).unref();
        continue;
      }
      if (now - entry.lastPinged < LIVENESS.pingIntervalMs) continue;
      entry.lastPinged = now;
      try {
        // A peer heard from lately is alive: its page heartbeat, or its notes, say so already.
        if (now - entry.lastHeard >= LIVENESS.pingIntervalMs) ws.ping();
        entry.keepAlive?.();
      } catch {
        // A socket closing under us: its close handler removes it.
      }
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.sockets.clear();
  }
}

import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import { isFinalCloseCode } from "@atelier/shared/wire/closeCodes";
import type { DocName } from "@atelier/shared/document/docLayout";
import { boardSocketPath, SyncMessage } from "@atelier/shared/wire/syncProtocol";
import { LIVENESS } from "@atelier/shared/wire/liveness";
import type { BoardRoute } from "./route.ts";
import { backoffDelay } from "../backoff.ts";
import { holdSendsUntilSynced } from "./docChanges.ts";

export interface BoardSession {
  room: Y.Doc;
  roomProvider: WebsocketProvider;
  /** Facilitators only: notes waiting for approval or hidden. */
  inbox: Y.Doc | null;
  inboxProvider: WebsocketProvider | null;
  /** Resolves once the room document has synced the first time. */
  synced: Promise<void>;
  /** Called with the close code when the relay refuses this link for good (at once if it already has). */
  onRefused(listener: (code: number) => void): void;
  /**
   * Called when the room document's connection goes down or comes back (after the first
   * sync); at once with the latest state if it already changed.
   */
  onOnline(listener: (online: boolean) => void): void;
  destroy(): void;
}

function connect(route: BoardRoute, name: DocName, doc: Y.Doc): WebsocketProvider {
  const base = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${boardSocketPath(route.boardId)}`;
  const provider = new WebsocketProvider(base, name, doc, { params: { token: route.token }, maxBackoffTime: 10_000 });
  holdSendsUntilSynced(provider);
  return provider;
}

export function openBoardSession(route: BoardRoute): BoardSession {
  const room = new Y.Doc();
  const roomProvider = connect(route, "room", room);
  const inbox = route.role === "facilitator" ? new Y.Doc() : null;
  const inboxProvider = inbox ? connect(route, "inbox", inbox) : null;
  // The session opens before the page subscribes (its handshakes overlap React's first
  // render): what happened before a listener came is replayed to it.
  const refusedListeners = new Set<(code: number) => void>();
  const onlineListeners = new Set<(online: boolean) => void>();
  let refusedWith: number | null = null;
  let lastOnline: boolean | null = null;
  const setOnline = (online: boolean) => {
    lastOnline = online;
    for (const l of onlineListeners) l(online);
  };
  const heartbeats: number[] = [];
  for (const provider of [roomProvider, inboxProvider]) {
    if (!provider) continue;
    let attempt = 0;
    const reconnectLater = () => {
      provider.disconnect();
      setTimeout(() => provider.connect(), backoffDelay(attempt++));
    };
    provider.on("sync", (synced: boolean) => {
      if (synced) attempt = 0;
      if (synced && provider === roomProvider) setOnline(true);
    });
    heartbeats.push(
      watchHeartbeat(provider, () => {
        if (provider === roomProvider) setOnline(false);
        reconnectLater();
      }),
    );
    provider.on("connection-close", (event) => {
      if (!event) return;
      if (provider === roomProvider) setOnline(false);
      if (isFinalCloseCode(event.code)) {
        refusedWith = event.code;
        for (const l of refusedListeners) l(event.code);
        return;
      }
      // The stock provider retries on a fixed schedule: after a relay restart every screen
      // would come back in the same millisecond. Take over and add jitter (rule P3).
      queueMicrotask(reconnectLater);
    });
  }
  const synced = new Promise<void>((resolve) => {
    if (roomProvider.synced) resolve();
    roomProvider.once("sync", () => resolve());
  });
  return {
    room,
    roomProvider,
    inbox,
    inboxProvider,
    synced,
    onRefused(listener) {
      refusedListeners.add(listener);
      if (refusedWith !== null) listener(refusedWith);
    },
    onOnline(listener) {
      onlineListeners.add(listener);
      if (lastOnline !== null) listener(lastOnline);
    },
    destroy() {
      for (const timer of heartbeats) clearInterval(timer);
      roomProvider.destroy();
      inboxProvider?.destroy();
      room.destroy();
      inbox?.destroy();
    },
  };
}

/**
 * Browsers hide WebSocket pings, and the stock provider waits 30 s of
 * silence before it gives up: too long for a room whose screen froze.
 * After `LIVENESS.pageQuietMs` of silence this asks the relay for awareness
 * (the relay always answers), and after `LIVENESS.pageDeadAfterMs` it calls
 * the connection dead, including a handshake that never completes.
 */
function watchHeartbeat(provider: WebsocketProvider, dead: () => void): number {
  let lastPing = 0;
  let connectingSince = 0;
  return window.setInterval(() => {
    const now = Date.now();
    const ws = provider.ws;
    if (!ws || !provider.shouldConnect) return void (connectingSince = 0);
    if (provider.wsconnecting) {
      connectingSince ||= now;
      if (now - connectingSince > LIVENESS.pageDeadAfterMs) {
        connectingSince = 0;
        dead();
      }
      return;
    }
    connectingSince = 0;
    const quiet = now - provider.wsLastMessageReceived;
    if (quiet > LIVENESS.pageDeadAfterMs) return dead();
    if (quiet > LIVENESS.pageQuietMs && now - lastPing > LIVENESS.pageQuietMs && ws.readyState === WebSocket.OPEN) {
      lastPing = now;
      ws.send(new Uint8Array([SyncMessage.queryAwareness]));
    }
  }, 1_000);
}

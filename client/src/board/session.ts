import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import { isFinalCloseCode } from "@atelier/shared/wire/closeCodes";
import type { DocName } from "@atelier/shared/document/docLayout";
import { boardSocketPath } from "@atelier/shared/wire/syncProtocol";
import type { BoardRoute } from "./route.ts";
import { backoffDelay } from "../backoff.ts";

export interface BoardSession {
  room: Y.Doc;
  roomProvider: WebsocketProvider;
  /** Facilitators only: notes waiting for approval or hidden. */
  inbox: Y.Doc | null;
  inboxProvider: WebsocketProvider | null;
  /** Resolves once the room document has synced the first time. */
  synced: Promise<void>;
  /** Called with the close code when the relay refuses this link for good. */
  onRefused(listener: (code: number) => void): void;
  destroy(): void;
}

function connect(route: BoardRoute, name: DocName, doc: Y.Doc): WebsocketProvider {
  const base = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${boardSocketPath(route.boardId)}`;
  return new WebsocketProvider(base, name, doc, { params: { token: route.token }, maxBackoffTime: 10_000 });
}

export function openBoardSession(route: BoardRoute): BoardSession {
  const room = new Y.Doc();
  const roomProvider = connect(route, "room", room);
  const inbox = route.role === "facilitator" ? new Y.Doc() : null;
  const inboxProvider = inbox ? connect(route, "inbox", inbox) : null;
  const refusedListeners = new Set<(code: number) => void>();
  for (const provider of [roomProvider, inboxProvider]) {
    if (!provider) continue;
    let attempt = 0;
    provider.on("sync", (synced: boolean) => {
      if (synced) attempt = 0;
    });
    provider.on("connection-close", (event) => {
      if (!event) return;
      if (isFinalCloseCode(event.code)) {
        for (const l of refusedListeners) l(event.code);
        return;
      }
      // The stock provider retries on a fixed schedule: after a relay restart every screen
      // would come back in the same millisecond. Take over and add jitter (rule P3).
      queueMicrotask(() => {
        provider.disconnect();
        setTimeout(() => provider.connect(), backoffDelay(attempt++));
      });
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
    onRefused: (listener) => void refusedListeners.add(listener),
    destroy() {
      roomProvider.destroy();
      inboxProvider?.destroy();
      room.destroy();
      inbox?.destroy();
    },
  };
}

import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import WebSocket from "ws";
import type { DocName } from "@atelier/shared/document/docLayout";
import { boardSocketPath } from "@atelier/shared/wire/syncProtocol";

/** A stock y-websocket 3.1.0 client, as a board screen uses it. */
export function connectScreen(baseUrl: string, boardId: string, token: string, docName: DocName = "room") {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(baseUrl.replace(/^http/, "ws") + boardSocketPath(boardId), docName, doc, {
    params: { token },
    // Two providers in one Node process would otherwise talk past the relay.
    disableBc: true,
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    maxBackoffTime: 200,
  });
  const closes: number[] = [];
  provider.on("connection-close", (event) => {
    if (event) closes.push(event.code);
  });
  return {
    doc,
    provider,
    closes,
    synced: () =>
      new Promise<void>((resolve) => {
        if (provider.synced) return resolve();
        provider.once("sync", (s: boolean) => s && resolve());
      }),
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}

export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

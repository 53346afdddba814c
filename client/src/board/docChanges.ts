import type * as Y from "yjs";
import type { WebsocketProvider } from "y-websocket";

/**
 * Whether a transaction changed anything (Yjs runs empty ones too): what Yjs itself checks
 * before it emits an update, that is deletions or new content from some client.
 */
function changedSomething(transaction: Y.Transaction): boolean {
  if (transaction.deleteSet.clients.size > 0) return true;
  for (const [client, clock] of transaction.afterState) if (transaction.beforeState.get(client) !== clock) return true;
  return false;
}

/**
 * Calls `listener` after every transaction that changed the document. Unlike the
 * document's `update` event, listening this way does not make Yjs encode each
 * transaction into an update message: with 1,000 notes the first sync alone was
 * encoded again for 90 ms, for listeners that only wanted to know something changed.
 */
export function onDocChange(doc: Y.Doc, listener: () => void): () => void {
  const handler = (transaction: Y.Transaction) => {
    if (changedSomething(transaction)) listener();
  };
  doc.on("afterTransaction", handler);
  return () => doc.off("afterTransaction", handler);
}

/**
 * The stock provider sends this page's changes from the document's `update` event,
 * and while it listens, Yjs encodes every transaction, the first sync's whole board
 * included. Nothing is written locally before that first sync, so its listener is held
 * off until then; should a local change happen meanwhile all the same, the provider
 * connects again and the handshake carries it: the relay opens every writer's connection
 * with its state vector (sync step 1, server/src/sync/screenConnection.ts) and the page
 * replies with what the relay lacks. Read-only pages never write.
 */
export function holdSendsUntilSynced(provider: WebsocketProvider): void {
  const doc = provider.doc;
  // y-websocket 3.1.0 keeps its `update` listener here (src/y-websocket.js).
  const send = (provider as unknown as { _updateHandler: (update: Uint8Array, origin: unknown) => void })
    ._updateHandler;
  if (typeof send !== "function") return;
  doc.off("update", send);
  let missed = false;
  const watch = (transaction: Y.Transaction) => {
    if (transaction.local && changedSomething(transaction)) missed = true;
  };
  doc.on("afterTransaction", watch);
  provider.once("sync", () => {
    doc.off("afterTransaction", watch);
    doc.on("update", send);
    if (!missed) return;
    queueMicrotask(() => {
      if (!provider.shouldConnect) return; // destroyed or disconnected meanwhile
      provider.disconnect();
      provider.connect();
    });
  });
}

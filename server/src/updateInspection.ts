import * as Y from "yjs";

/**
 * Looks inside a Yjs update before it is applied. Throws on bytes that are
 * not an update at all.
 *
 * `wouldPend` is true when the update refers to something neither the
 * document nor the update itself holds: a gap in a client's clock, an item
 * whose left/right neighbour or parent is unknown, a deletion of unknown
 * content. Yjs would keep such structs "pending" forever and serve them to
 * every client that syncs later; the relay refuses them instead (rule R6).
 */
export function inspectUpdate(doc: Y.Doc, update: Uint8Array): { changesDoc: boolean; wouldPend: boolean } {
  const meta = Y.parseUpdateMeta(update);
  const { structs, ds } = Y.decodeUpdate(update);
  const known = Y.decodeStateVector(Y.encodeStateVector(doc));
  let changesDoc = false;
  let wouldPend = false;
  for (const [client, to] of meta.to) {
    const have = known.get(client) ?? 0;
    if (to > have) changesDoc = true;
    if ((meta.from.get(client) ?? 0) > have) wouldPend = true;
  }
  // After this update, a client's clock is known up to max(what we have, what it brings).
  const reach = (client: number) => Math.max(known.get(client) ?? 0, meta.to.get(client) ?? 0);
  const exists = (id: { client: number; clock: number } | null | undefined) => !id || id.clock < reach(id.client);
  for (const struct of structs) {
    if (struct instanceof Y.Skip) {
      wouldPend = true;
      continue;
    }
    const item = struct as unknown as {
      origin?: { client: number; clock: number } | null;
      rightOrigin?: { client: number; clock: number } | null;
      parent?: unknown;
    };
    if (!exists(item.origin) || !exists(item.rightOrigin)) wouldPend = true;
    const parent = item.parent as { client?: unknown; clock?: unknown } | string | null | undefined;
    if (parent && typeof parent === "object" && typeof parent.client === "number" && typeof parent.clock === "number") {
      if (!exists(parent as { client: number; clock: number })) wouldPend = true;
    }
  }
  for (const [client, ranges] of ds.clients) {
    for (const { clock, len } of ranges) if (clock + len > reach(client)) wouldPend = true;
  }
  if (!changesDoc && !deletesAlreadyApplied(doc, ds)) changesDoc = true;
  return { changesDoc, wouldPend };
}

type DeleteSet = ReturnType<typeof Y.decodeUpdate>["ds"];

function deletesAlreadyApplied(doc: Y.Doc, ds: DeleteSet): boolean {
  if (ds.clients.size === 0) return true;
  const mine = Y.createDeleteSetFromStructStore(doc.store);
  for (const [client, ranges] of ds.clients) {
    const have = mine.clients.get(client) ?? [];
    for (const { clock, len } of ranges) {
      if (len === 0) continue;
      // `have` is sorted and merged: a covered range lies inside one of its items.
      if (!have.some((h) => h.clock <= clock && clock + len <= h.clock + h.len)) return false;
    }
  }
  return true;
}

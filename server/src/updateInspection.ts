import * as Y from "yjs";

/**
 * Looks inside a Yjs update before it is applied. Throws on bytes that are
 * not an update at all.
 */
export function inspectUpdate(doc: Y.Doc, update: Uint8Array): { changesDoc: boolean; wouldPend: boolean } {
  const meta = Y.parseUpdateMeta(update);
  const { ds } = Y.decodeUpdate(update);
  const known = Y.decodeStateVector(Y.encodeStateVector(doc));
  let changesDoc = false;
  let wouldPend = false;
  for (const [client, to] of meta.to) {
    const have = known.get(client) ?? 0;
    if (to > have) changesDoc = true;
    // Structs that start after what we hold can't be integrated: they would wait forever.
    if ((meta.from.get(client) ?? 0) > have) wouldPend = true;
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

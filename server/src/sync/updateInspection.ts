import * as Y from "yjs";

type ID = { client: number; clock: number };

/** An update decoded once, with the state of the document it is checked against. */
export interface DecodedUpdate {
  meta: ReturnType<typeof Y.parseUpdateMeta>;
  structs: ReturnType<typeof Y.decodeUpdate>["structs"];
  ds: ReturnType<typeof Y.decodeUpdate>["ds"];
  /** The document's state vector when the update was decoded. */
  known: Map<number, number>;
}

/**
 * Decodes an update for `inspectUpdate` and `touchedTypes`, which then share
 * it: decoding is most of what checking a screen's update costs. Throws on
 * bytes that are not an update at all.
 */
export function decodeAgainst(doc: Y.Doc, update: Uint8Array): DecodedUpdate {
  const meta = Y.parseUpdateMeta(update);
  const { structs, ds } = Y.decodeUpdate(update);
  return { meta, structs, ds, known: Y.decodeStateVector(Y.encodeStateVector(doc)) };
}

/**
 * Looks inside a Yjs update before it is applied. Throws on bytes that are
 * not an update at all.
 *
 * - `wouldPend`: the update cannot be fully integrated into this document —
 *   a gap in a client's clock, an item whose neighbour or parent is unknown,
 *   references that only resolve in a cycle, a deletion of unknown content.
 *   Yjs would keep such structs "pending" and serve them to every client that
 *   syncs later; the relay refuses them instead (rule R6).
 * - `invalid`: well-formed bytes that must never be stored: zero-length
 *   structs or deletions (Yjs cannot load them back), content values that do
 *   not survive re-encoding or JSON (objects with a prototype, BigInt).
 */
export function inspectUpdate(
  doc: Y.Doc,
  update: Uint8Array | DecodedUpdate,
): { changesDoc: boolean; wouldPend: boolean; invalid: boolean } {
  const { meta, structs, ds, known } = update instanceof Uint8Array ? decodeAgainst(doc, update) : update;
  let changesDoc = false;
  let invalid = false;
  for (const [client, to] of meta.to) if (to > (known.get(client) ?? 0)) changesDoc = true;
  for (const struct of structs) {
    if (struct.length <= 0) invalid = true;
    if (struct instanceof Y.Item && !safeContent(struct.content)) invalid = true;
  }
  for (const ranges of ds.clients.values()) for (const { len } of ranges) if (len <= 0) invalid = true;
  const wouldPend = !integrates(structs, known) || !deletesKnown(ds, known, meta.to);
  if (!changesDoc && !deletesAlreadyApplied(doc, ds)) changesDoc = true;
  return { changesDoc, wouldPend, invalid };
}

/**
 * Integrates the structs on paper, as Yjs would: each client's structs in
 * clock order, each only once everything it refers to is there. Whatever is
 * left when no struct can move would stay pending.
 */
function integrates(structs: ReturnType<typeof Y.decodeUpdate>["structs"], known: Map<number, number>): boolean {
  const reached = new Map(known);
  const queues = new Map<number, typeof structs>();
  for (const s of structs) {
    if (s instanceof Y.Skip) return false;
    const list = queues.get(s.id.client) ?? [];
    list.push(s);
    queues.set(s.id.client, list);
  }
  for (const list of queues.values()) list.sort((a, b) => a.id.clock - b.id.clock);
  const has = (id: ID | null | undefined) => !id || id.clock < (reached.get(id.client) ?? 0);
  let progress = true;
  while (progress) {
    progress = false;
    for (const [client, list] of queues) {
      while (list.length > 0) {
        const s = list[0]!;
        const at = reached.get(client) ?? 0;
        if (s.id.clock + s.length <= at) {
          list.shift(); // already known: Yjs skips it
          continue;
        }
        if (s.id.clock > at) break; // a gap, unless another pass fills it
        if (s instanceof Y.Item) {
          const parent = s.parent as unknown;
          const parentId = parent && typeof parent === "object" && "client" in parent ? (parent as ID) : null;
          if (!has(s.origin) || !has(s.rightOrigin) || !has(parentId)) break;
        }
        reached.set(client, s.id.clock + s.length);
        list.shift();
        progress = true;
      }
    }
  }
  return [...queues.values()].every((list) => list.length === 0);
}

type DeleteSet = ReturnType<typeof Y.decodeUpdate>["ds"];

function deletesKnown(ds: DeleteSet, known: Map<number, number>, to: Map<number, number>): boolean {
  for (const [client, ranges] of ds.clients) {
    const reach = Math.max(known.get(client) ?? 0, to.get(client) ?? 0);
    for (const { clock, len } of ranges) if (clock + len > reach) return false;
  }
  return true;
}

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

/** Plain JSON-like values only: what Yjs re-encodes and JSON.stringify accepts. */
function safeValue(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (value === null || value === undefined) return true;
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return true;
    case "object": {
      // `instanceof` alone is fooled by a plain object whose decoded prototype is Uint8Array's;
      // only a real typed array has a buffer behind it.
      if (value instanceof Uint8Array) return ArrayBuffer.isView(value);
      if (Array.isArray(value)) return value.every((v) => safeValue(v, depth + 1));
      // A "__proto__" key decoded by lib0 becomes the prototype: such a value cannot be re-encoded.
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      return Object.values(value).every((v) => safeValue(v, depth + 1));
    }
    default:
      return false; // bigint, function, symbol
  }
}

function safeContent(content: unknown): boolean {
  const c = content as { arr?: unknown[]; embed?: unknown; key?: unknown; value?: unknown };
  if (content instanceof Y.ContentAny) return (c.arr ?? []).every((v) => safeValue(v));
  if (content instanceof Y.ContentEmbed) return safeValue(c.embed);
  if (content instanceof Y.ContentFormat) return safeValue(c.value);
  return true;
}

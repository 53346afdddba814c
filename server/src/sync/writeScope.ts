import * as Y from "yjs";
import { decodeAgainst, type DecodedUpdate } from "./updateInspection.ts";

type ID = { client: number; clock: number };
type Struct = DecodedUpdate["structs"][number];
/** A place that no longer exists: writing there changes no type. */
const GONE = "";

/**
 * The top-level types of `doc` that an update would change (rule R7): a
 * screen may write only those its role owns, whatever else its bytes hold.
 *
 * Only what is new to the document counts: a screen's sync step 2 carries
 * everything it has, notes and settings the relay wrote included, and
 * resending them changes nothing. Returns null when an item's place cannot
 * be traced (the update would not integrate anyway: rule R6 refuses it).
 */
export function touchedTypes(doc: Y.Doc, update: Uint8Array | DecodedUpdate): Set<string> | null {
  const { structs, ds, known } = update instanceof Uint8Array ? decodeAgainst(doc, update) : update;
  const own = new Map<number, Struct[]>();
  for (const s of structs) {
    const list = own.get(s.id.client) ?? [];
    list.push(s);
    own.set(s.id.client, list);
  }
  for (const list of own.values()) list.sort((a, b) => a.id.clock - b.id.clock);
  const touched = new Set<string>();

  const roots = new Map<Y.Item, string | null>();
  /**
   * The root a new item hangs from, followed link by link rather than by
   * recursion (a hostile update may chain thousands of items, or loop), and
   * remembered for every item on the way so that a long chain is walked once.
   */
  const rootOfNew = (start: Y.Item): string | null => {
    const path: Y.Item[] = [];
    let root: string | null = null;
    for (let item: Y.Item | null = start; item;) {
      if (roots.has(item)) {
        root = roots.get(item)!;
        break;
      }
      if (path.length > structs.length) break; // more links than structs: a cycle
      path.push(item);
      const parent = item.parent as unknown;
      if (typeof parent === "string") {
        root = parent;
        break;
      }
      // No parent written: it is the parent of the neighbour it was inserted beside.
      const next =
        parent && typeof parent === "object" && "client" in parent ? (parent as ID) : (item.origin ?? item.rightOrigin);
      if (!next) break;
      if (next.clock < (known.get(next.client) ?? 0)) {
        root = rootOfStored(doc, next);
        break;
      }
      item = newItemAt(next);
    }
    for (const item of path) roots.set(item, root);
    return root;
  };
  const newItemAt = (id: ID): Y.Item | null => {
    const list = own.get(id.client) ?? [];
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = list[mid]!;
      if (id.clock < s.id.clock) hi = mid - 1;
      else if (id.clock >= s.id.clock + s.length) lo = mid + 1;
      else return s instanceof Y.Item ? s : null;
    }
    return null;
  };

  for (const s of structs) {
    if (s.id.clock + s.length <= (known.get(s.id.client) ?? 0)) continue; // already in the document
    if (!(s instanceof Y.Item)) continue; // GC and Skip structs change no type
    const root = rootOfNew(s);
    if (root === null) return null;
    if (root !== GONE) touched.add(root);
  }
  for (const [client, ranges] of ds.clients) {
    for (const { clock, len } of ranges) {
      for (const item of storedItems(doc, client, clock, len)) {
        if (item.deleted) continue;
        const root = rootOfType(doc, item.parent as Y.AbstractType<unknown>);
        if (root === null) return null;
        touched.add(root);
      }
    }
  }
  return touched;
}

function storedItems(doc: Y.Doc, client: number, clock: number, len: number): Y.Item[] {
  const list = doc.store.clients.get(client);
  if (!list || list.length === 0) return [];
  const last = list[list.length - 1]!;
  if (clock >= last.id.clock + last.length) return [];
  const out: Y.Item[] = [];
  for (let i = Y.findIndexSS(list, Math.max(clock, list[0]!.id.clock)); i < list.length; i++) {
    const s = list[i]!;
    if (s.id.clock >= clock + len) break;
    if (s instanceof Y.Item) out.push(s);
  }
  return out;
}

function rootOfStored(doc: Y.Doc, id: ID): string | null {
  const list = doc.store.clients.get(id.client);
  if (!list) return null;
  const s = list[Y.findIndexSS(list, id.clock)];
  // Garbage-collected: Yjs turns what is written beside it into garbage too.
  if (!(s instanceof Y.Item)) return GONE;
  return rootOfType(doc, s.parent as Y.AbstractType<unknown>);
}

function rootOfType(doc: Y.Doc, type: Y.AbstractType<unknown> | null): string | null {
  let t = type;
  while (t && t._item) t = t._item.parent as Y.AbstractType<unknown>;
  if (!t) return null;
  for (const [name, shared] of doc.share) if (shared === t) return name;
  return null;
}

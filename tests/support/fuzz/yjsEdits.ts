/**
 * Updates made the honest way, through the Yjs API: a facilitator's edits of
 * the board's real roots (with hostile values), and the corpus built once per
 * run (whole states, tails of histories, dependent edits) that the board
 * driver sends and the mutators cut up. These always encode as Yjs would;
 * the hand-written encoder (yjsEncoder.ts) covers what Yjs would never write.
 */
import * as Y from "yjs";
import type { Rand } from "./rand.ts";
import { anyValue, weirdString } from "./strings.ts";
import type { KnownCrashers } from "./crashers.ts";

const SETTINGS_KEYS = [
  "title",
  "date",
  "prompts",
  "categories",
  "submissions",
  "moderation",
  "layoutVersion",
  "phase",
  "vote",
  "timer",
  "hideTextsUntilReveal",
];

function settingsValue(r: Rand, key: string, crashers: KnownCrashers): unknown {
  switch (key) {
    case "prompts":
    case "categories": {
      const prefix = key === "prompts" ? "p" : "c";
      if (r.chance(0.15)) return anyValue(r, 1, false);
      return Array.from({ length: r.small(5) }, (_, i) => {
        const choice: Record<string, unknown> = {
          id: r.chance(0.8) ? `${prefix}${i + 1}` : weirdString(r, 12),
          label: r.chance(0.8) ? weirdString(r, 30) : anyValue(r, 2, false),
        };
        if (r.chance(0.3)) choice[r.pick(["color", "extra", "x"])] = anyValue(r, 1, false);
        if (crashers.bigIntInSettings && r.chance(0.3)) choice.weight = 7n;
        return choice;
      });
    }
    case "submissions":
      return r.weighted([
        [4, "open"],
        [2, "locked"],
        [1, anyValue(r, 1, false)],
      ]);
    case "moderation":
      return r.weighted([
        [4, "open"],
        [2, "controlled"],
        [1, anyValue(r, 1, false)],
      ]);
    case "layoutVersion":
      return r.pick<unknown>([1, 0, 2, -1, "1", null]);
    case "phase":
      return r.weighted<unknown>([
        [4, "collect"],
        [2, "reveal"],
        [2, "group"],
        [2, "vote"],
        [1, "closed"],
        [1, anyValue(r, 1, false)],
      ]);
    case "vote":
      return r.chance(0.8)
        ? {
            open: r.chance(0.7),
            target: r.pick<unknown>(["notes", "themes", "x"]),
            dots: r.pick<unknown>([3, 1, 20, 0, 21, 2.5, "3"]),
          }
        : anyValue(r, 1, false);
    case "timer":
      return r.chance(0.8)
        ? {
            endsAt: r.pick<unknown>([null, Date.now() + 60_000, 0, -1, "soon"]),
            remainingMs: r.pick<unknown>([0, 60_000, -5, NaN]),
          }
        : anyValue(r, 1, false);
    case "hideTextsUntilReveal":
      return r.pick<unknown>([true, false, "true", 1]);
    default:
      return r.chance(0.8) ? weirdString(r, 140) : anyValue(r, 1, false);
  }
}

function noteRecordish(r: Rand, id: string): Record<string, unknown> {
  const record: Record<string, unknown> = {
    id,
    text: weirdString(r, 300),
    prompt: r.pick(["p1", "p2", "p3", "p9", ""]),
    category: r.pick(["c1", "c2", "", "nope"]),
    author: weirdString(r, 20),
    createdAt: r.chance(0.9) ? 1_700_000_000_000 + r.int(1e9) : "yesterday",
    updatedAt: 1_700_000_000_000 + r.int(1e9),
    status: r.pick(["visible", "visible", "pending", "hidden", "deleted"]),
  };
  if (r.chance(0.2)) delete record[r.pick(Object.keys(record))];
  if (r.chance(0.2)) record[r.pick(["text", "prompt", "createdAt", "extra"])] = anyValue(r, 1, true);
  return record;
}

/** One edit through the Yjs API, on a fresh document or one synced from the relay. */
export function editDoc(r: Rand, doc: Y.Doc, crashers: KnownCrashers): void {
  const what = r.weighted([
    [3, "settings"],
    [3, "note"],
    [2, "noteDelete"],
    [3, "canvas"],
    [1, "canvasDelete"],
    [1, "canvasMeta"],
    [2, "text"],
    [1, "nested"],
    [1, "xml"],
    [1, "randomRoot"],
    // Families of known bugs, only when switched on (see `KnownCrashers`).
    [crashers.protoKeys ? 1 : 0, "protoValue"],
    [crashers.bigIntInSettings ? 2 : 0, "bigIntPrompts"],
    [crashers.malformedCanvasRecords ? 1 : 0, "badCanvasEntry"],
  ] as const);
  try {
    switch (what) {
      case "protoValue": {
        const value: Record<string, unknown> = {};
        Object.defineProperty(value, "__proto__", { value: r.bytes(3), enumerable: true, writable: true });
        doc.getMap("canvasMeta").set(weirdString(r, 6), value);
        return;
      }
      case "bigIntPrompts":
        doc.getMap("settings").set("prompts", [{ id: "p1", label: "Ce que je retiens", weight: 7n }]);
        return;
      case "badCanvasEntry": {
        const canvas = doc.getArray("canvas");
        canvas.insert(r.int(canvas.length + 1), [r.pick<unknown>([null, { key: "shape:x", val: {} }, { key: 1 }])]);
        return;
      }
      case "settings": {
        const key = r.chance(0.9) ? r.pick(SETTINGS_KEYS) : weirdString(r, 12);
        doc.getMap("settings").set(key, settingsValue(r, key, crashers));
        return;
      }
      case "note": {
        const notes = doc.getMap("notes");
        const keys = [...notes.keys()];
        const id = keys.length > 0 && r.chance(0.5) ? r.pick(keys) : `fuzz-note-${r.uint32().toString(36)}`;
        notes.set(id, noteRecordish(r, id));
        return;
      }
      case "noteDelete": {
        const notes = doc.getMap("notes");
        const keys = [...notes.keys()];
        if (keys.length > 0) notes.delete(r.pick(keys));
        else notes.set(weirdString(r, 12), null);
        return;
      }
      case "canvas": {
        const canvas = doc.getArray("canvas");
        const entry = { key: `shape:${r.uint32().toString(36)}`, val: anyValue(r, 1, true) };
        canvas.insert(r.int(canvas.length + 1), r.chance(0.9) ? [entry] : [anyValue(r, 2, true)]);
        return;
      }
      case "canvasDelete": {
        const canvas = doc.getArray("canvas");
        if (canvas.length > 0) {
          const at = r.int(canvas.length);
          canvas.delete(at, Math.min(canvas.length - at, r.small(4)));
        }
        return;
      }
      case "canvasMeta":
        doc.getMap("canvasMeta").set(r.pick(["schema", "version", weirdString(r, 8)]), anyValue(r, 2, true));
        return;
      case "text": {
        const text = doc.getText("t");
        if (text.length > 0 && r.chance(0.3)) {
          const at = r.int(text.length);
          text.delete(at, Math.min(text.length - at, r.small(10)));
        } else if (r.chance(0.2)) {
          text.insert(r.int(text.length + 1), weirdString(r, 20), { bold: r.chance(0.5), href: weirdString(r, 10) });
        } else {
          text.insert(r.int(text.length + 1), weirdString(r, 60));
        }
        return;
      }
      case "nested": {
        const map = new Y.Map<unknown>();
        doc.getMap("m").set(weirdString(r, 8), map);
        map.set("a", anyValue(r, 1, true));
        const arr = new Y.Array<unknown>();
        map.set("arr", arr);
        arr.push([anyValue(r, 1, true), anyValue(r, 1, true)]);
        const text = new Y.Text();
        arr.insert(0, [text]);
        text.insert(0, weirdString(r, 20));
        if (r.chance(0.3)) map.delete("a");
        return;
      }
      case "xml": {
        const fragment = doc.getXmlFragment("xml");
        const element = new Y.XmlElement(r.pick(["p", "div", "x"]));
        fragment.insert(r.int(fragment.length + 1), [element]);
        element.setAttribute(r.pick(["class", "href"]), weirdString(r, 10));
        element.insert(0, [new Y.XmlText(weirdString(r, 10))]);
        return;
      }
      case "randomRoot":
        doc.getMap(weirdString(r, 6)).set(weirdString(r, 6), anyValue(r, 2, true));
        return;
    }
  } catch {
    // A root already defined with another type in a synced document: skip this edit.
  }
}

/** A valid update from a new client: it refers only to root types, so it always integrates. */
export function freshUpdate(r: Rand, crashers: KnownCrashers): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = r.uint32();
  doc.transact(() => {
    for (let i = r.small(3); i > 0; i--) editDoc(r, doc, crashers);
  });
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

/**
 * Real updates, built once per run: whole states, the second part of a
 * history (it depends on structs the relay does not have), edits of another
 * client's content without that content, deletions of unknown content, V2
 * encodings, state vectors.
 */
export interface YCorpus {
  whole: Uint8Array[];
  tails: Uint8Array[];
  dependents: Uint8Array[];
  deletesOnly: Uint8Array[];
  v2: Uint8Array[];
  stateVectors: Uint8Array[];
}

/**
 * Y.mergeUpdates, or the first update when merging throws: decoding a map value
 * `{"__proto__": Uint8Array}` breaks re-encoding in this process too (see `KnownCrashers`).
 */
export function mergeOrFirst(updates: Uint8Array[]): Uint8Array {
  try {
    return Y.mergeUpdates(updates);
  } catch {
    return updates[0]!;
  }
}

export function buildCorpus(r: Rand): YCorpus {
  const corpus: YCorpus = { whole: [], tails: [], dependents: [], deletesOnly: [], v2: [], stateVectors: [] };
  for (let d = 0; d < 6; d++) {
    const doc = new Y.Doc();
    doc.clientID = r.uint32();
    const history: Uint8Array[] = [];
    doc.on("update", (u: Uint8Array) => history.push(u));
    for (let i = 0; i < 10; i++) {
      doc.transact(() => {
        for (let k = r.small(3); k > 0; k--) editDoc(r, doc, {});
      });
    }
    corpus.whole.push(Y.encodeStateAsUpdate(doc));
    corpus.v2.push(Y.encodeStateAsUpdateV2(doc));
    corpus.stateVectors.push(Y.encodeStateVector(doc));
    for (let k = 1; k < history.length; k += r.range(1, 3)) {
      corpus.tails.push(mergeOrFirst(history.slice(k)));
      corpus.tails.push(history[k]!);
    }
    const other = new Y.Doc();
    const deleter = new Y.Doc();
    try {
      // Another client edits this document's content: its diff refers to structs of the first.
      other.clientID = r.uint32();
      Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
      const base = Y.encodeStateVector(doc);
      const text = other.getText("t");
      if (text.length > 1) text.insert(r.int(text.length), weirdString(r, 10));
      const canvas = other.getArray("canvas");
      if (canvas.length > 1) canvas.insert(r.int(canvas.length), [{ key: "shape:x", val: 1 }]);
      other.getMap("settings").set("title", weirdString(r, 20));
      corpus.dependents.push(Y.encodeStateAsUpdate(other, base));
      // Deletions only: no new struct, a delete set on the first client's content.
      deleter.clientID = r.uint32();
      Y.applyUpdate(deleter, Y.encodeStateAsUpdate(doc));
      const before = Y.encodeStateVector(deleter);
      const dtext = deleter.getText("t");
      if (dtext.length > 0) dtext.delete(0, Math.min(dtext.length, 3));
      const dcanvas = deleter.getArray("canvas");
      if (dcanvas.length > 0) dcanvas.delete(0, 1);
      const diff = Y.encodeStateAsUpdate(deleter, before);
      if (Y.parseUpdateMeta(diff).to.size === 0) corpus.deletesOnly.push(diff);
      else corpus.dependents.push(diff);
    } catch {
      // A root of another type, or a value this process cannot re-encode: skip this pair.
    }
    doc.destroy();
    other.destroy();
    deleter.destroy();
  }
  // An empty update (no struct, no deletion) where a list stayed empty.
  for (const list of Object.values(corpus) as Uint8Array[][]) if (list.length === 0) list.push(new Uint8Array([0, 0]));
  return corpus;
}

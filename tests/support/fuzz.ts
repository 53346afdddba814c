/**
 * A seeded fuzzer for the relay's three endpoints: the board sockets
 * (y-websocket protocol), the phone socket (JSON) and the HTTP API. Used by
 * tests/integration/fuzz.test.ts (a short run) and bench/fuzz.ts (a long one).
 *
 * Every random choice comes from `seededRandom(seed)`: one generator per
 * worker, forked again for each session, so a seed replays the same sessions
 * and frames; what the relay answers (when it closes a socket, rotated links,
 * note ids it acknowledged) and timing can still make two runs drift.
 *
 * Families of input known to crash or break the relay (`KnownCrashers`) are
 * held back unless switched on, so that a run can look past them.
 *
 * Two boards: the "target" takes everything, including a facilitator's valid
 * writes; the "victim" only ever receives input the relay must refuse (frames
 * from its projector and coordinator links, wrong tokens, phone messages while
 * its submissions are locked, API calls without its facilitator or
 * coordinator token), so it must stay byte-identical on disk.
 */
import { request as httpRequest } from "node:http";
import { connect as netConnect } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import Database from "better-sqlite3";
import WebSocket from "ws";
import * as Y from "yjs";
import * as encoding from "lib0/encoding";
import * as decoding from "lib0/decoding";
import type { Relay } from "@atelier/server/relay";
import { LIMITS } from "@atelier/shared/wire/limits";
import { PHONE_PROTOCOL_VERSION, type PhoneServerMessage } from "@atelier/shared/wire/protocol";
import { SyncMessage, SyncStep, boardSocketPath, phoneSocketPath } from "@atelier/shared/wire/syncProtocol";
import { seededRandom } from "./random.ts";
import { boardDigest } from "./db.ts";
import { createTestBoard } from "./relay.ts";
import { connectScreen, waitFor } from "./screens.ts";
import { PhoneClient } from "./phoneClient.ts";

// ---------------------------------------------------------------------------
// Randomness

export class Rand {
  constructor(private readonly next: () => number) {}

  static seeded(seed: number): Rand {
    return new Rand(seededRandom(seed));
  }

  float(): number {
    return this.next();
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** An integer in [a, b]. */
  range(a: number, b: number): number {
    return a + this.int(b - a + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  weighted<T>(entries: readonly (readonly [number, T])[]): T {
    const total = entries.reduce((s, [w]) => s + w, 0);
    let x = this.next() * total;
    for (const [w, value] of entries) {
      x -= w;
      if (x < 0) return value;
    }
    return entries[entries.length - 1]![1];
  }
  uint32(): number {
    return Math.floor(this.next() * 0x1_0000_0000) >>> 0;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  /** A small count, mostly 1–3, sometimes more. */
  small(max = 8): number {
    return Math.min(max, 1 + Math.floor(-Math.log(1 - this.next() * 0.999) * 1.5));
  }
  fork(): Rand {
    return Rand.seeded(this.uint32());
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

// ---------------------------------------------------------------------------
// Strings and values

const STRING_PIECES = [
  "Former les équipes",
  "Ce que je retiens",
  "œ æ ç ÿ ß",
  "🙂",
  "👩🏽‍🏫",
  "🇫🇷",
  "\u0000",
  "\u0007",
  "\u001b[31m",
  "\u007f",
  "\u0085",
  "\u00a0",
  "\u200b",
  "\u200d",
  "\u2028",
  "\u2029",
  "\u202e",
  "\ufeff",
  "\ufffd",
  "\ud800",
  "\udc00",
  "\udbff\udfff",
  "e\u0301\u0301\u0301",
  "<script>alert(1)</script>",
  "'; DROP TABLE updates; --",
  "../../etc/passwd",
  "%00%ff",
  "__proto__",
  "constructor",
  "toJSON",
  "\\u0000",
  "{{7*7}}",
  "\r\n",
  "\t",
  " ",
  "",
];

export function weirdString(r: Rand, maxLength = 80): string {
  let s = "";
  const pieces = r.small(10);
  for (let i = 0; i < pieces && s.length < maxLength; i++) {
    s += r.chance(0.6)
      ? r.pick(STRING_PIECES)
      : String.fromCharCode(...Array.from({ length: r.range(1, 6) }, () => r.int(0x10000)));
  }
  if (r.chance(0.05)) s = s.repeat(r.range(2, 50));
  return s.slice(0, maxLength);
}

function weirdJson(r: Rand, depth = 0): unknown {
  const kind = r.weighted([
    [3, "string"],
    [2, "number"],
    [1, "bool"],
    [1, "null"],
    [depth < 3 ? 2 : 0, "array"],
    [depth < 3 ? 2 : 0, "object"],
  ] as const);
  switch (kind) {
    case "string":
      return weirdString(r, 40);
    case "number":
      return r.pick([0, -0, 1, -1, 1.5, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, 5e-324, r.int(1000)]);
    case "bool":
      return r.chance(0.5);
    case "null":
      return null;
    case "array":
      return Array.from({ length: r.small(4) }, () => weirdJson(r, depth + 1));
    case "object": {
      const o: Record<string, unknown> = {};
      for (let i = r.small(4); i > 0; i--)
        o[r.chance(0.2) ? weirdString(r, 10) : r.pick(["id", "label", "x", "k"])] = weirdJson(r, depth + 1);
      return o;
    }
  }
}

/** A lib0 `Any` value (what Yjs maps and arrays hold), BigInts and bytes included. */
function anyValue(r: Rand, depth: number, allowBigInt: boolean): unknown {
  const kind = r.weighted([
    [3, "string"],
    [2, "number"],
    [1, "bool"],
    [1, "null"],
    [0.5, "undefined"],
    [allowBigInt ? 0.5 : 0, "bigint"],
    [0.5, "bytes"],
    [depth < 3 ? 1.5 : 0, "array"],
    [depth < 3 ? 1.5 : 0, "object"],
  ] as const);
  switch (kind) {
    case "string":
      return weirdString(r, 60);
    case "number":
      return r.pick([0, -1, 3.25, 2 ** 31, -(2 ** 53), Number.MAX_VALUE, NaN, Infinity, r.int(100)]);
    case "bool":
      return r.chance(0.5);
    case "null":
      return null;
    case "undefined":
      return undefined;
    case "bigint":
      return BigInt(r.int(1000)) * (r.chance(0.5) ? 1n : -(2n ** 62n));
    case "bytes":
      return r.bytes(r.int(16));
    case "array":
      return Array.from({ length: r.small(4) }, () => anyValue(r, depth + 1, allowBigInt));
    case "object": {
      const o: Record<string, unknown> = {};
      for (let i = r.small(4); i > 0; i--) {
        Object.defineProperty(o, r.chance(0.2) ? weirdString(r, 10) : r.pick(["id", "label", "x", "__proto__"]), {
          value: anyValue(r, depth + 1, allowBigInt),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return o;
    }
  }
}

// ---------------------------------------------------------------------------
// Yjs: updates, real and synthetic

/** Families of input known to crash the relay; off by default so a run can go on past them. */
export interface KnownCrashers {
  /** Request targets whose "authority" `new URL()` rejects (`//[`, `http://[/…`), on HTTP and upgrades. */
  invalidRequestTargets?: boolean;
  /** A facilitator writes a BigInt into `settings.prompts`; the next phone `hello` throws. */
  bigIntInSettings?: boolean;
  /**
   * Updates holding a zero-length struct (GC, deleted content, "" or []): once deleted, it
   * becomes a zero-length delete range that no Yjs document can load again ("Unexpected case").
   */
  zeroLengthStructs?: boolean;
  /**
   * A map value `{"__proto__": Uint8Array}`: lib0's readAny makes the Uint8Array the object's
   * prototype, and the next encoding of the document (a sync step 2, a compaction) throws
   * outside any try: the relay process exits.
   */
  protoKeys?: boolean;
  /**
   * A socket the relay refuses at attach (unknown board or join code, wrong token: 4404, 4401,
   * 4403, 4529) has no `error` listener and is resumed: a frame the `ws` library rejects
   * (invalid UTF-8 text, over the size limit) is an unhandled 'error' event and the relay exits.
   */
  receiverErrorsOnRefusedSockets?: boolean;
  /**
   * Canvas entries that are not `{key, val: {id: string…}}`: `canvasRecords` destructures every
   * entry (null throws) and the exports sort records by `id.localeCompare`, so the board.json and
   * tally exports answer 500 (and a caller on a phone's path would throw).
   */
  malformedCanvasRecords?: boolean;
  /**
   * An update `inspectUpdate` lets through though it leaves pending structs (a causal cycle between
   * two clients), with a zero-length deletion at the end of a clock, so that `Y.applyUpdate` throws
   * after leaving them: the relay's check after `applyUpdate` never runs, the room keeps the
   * pending structs, serves them in sync step 2 and a compaction stores them.
   */
  pendingBehindException?: boolean;
}

const PROTO = Buffer.from("__proto__");
const INVALID_UTF8 = Buffer.concat([
  Buffer.from('{"type":"hello","v":1,"participant":"'),
  Buffer.from([0xc3, 0x28]),
  Buffer.from('"}'),
]);

/** Which known-crasher family a board-socket frame belongs to, if one that is switched off. */
export function heldBack(crashers: KnownCrashers, frame: Uint8Array | string): keyof KnownCrashers | null {
  if (typeof frame === "string") return null;
  if (!crashers.protoKeys && Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).includes(PROTO)) {
    return "protoKeys";
  }
  const traits = updateTraits(frame);
  if (!crashers.zeroLengthStructs && traits.zeroLength) return "zeroLengthStructs";
  // Alone, a zero-length deletion is harmless; after structs left pending, it hides them.
  if (!crashers.pendingBehindException && traits.zeroLengthDelete) return "pendingBehindException";
  // Only BigInts in `settings` crash, but any BigInt could land there: hold them all back.
  if (!crashers.bigIntInSettings && traits.bigInt) return "bigIntInSettings";
  if (!crashers.malformedCanvasRecords && traits.badCanvasEntry) return "malformedCanvasRecords";
  return null;
}

function hasBigInt(value: unknown, depth = 0): boolean {
  if (typeof value === "bigint") return true;
  if (depth > 20 || typeof value !== "object" || value === null || value instanceof Uint8Array) return false;
  return Object.values(value).some((v) => hasBigInt(v, depth + 1));
}

/** What a sync frame's update holds that a known bug needs (see `KnownCrashers`). */
/** Not a canvas entry the exports can read: null, or a `val` object without a string id. */
function badCanvasEntry(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v !== "object" || !("val" in v)) return false;
  const val = (v as { val: unknown }).val;
  return typeof val === "object" && val !== null && typeof (val as { id?: unknown }).id !== "string";
}

export function updateTraits(frame: Uint8Array | string): {
  zeroLength: boolean;
  zeroLengthDelete: boolean;
  bigInt: boolean;
  badCanvasEntry: boolean;
} {
  const none = { zeroLength: false, zeroLengthDelete: false, bigInt: false, badCanvasEntry: false };
  if (typeof frame === "string") return none;
  try {
    const d = decoding.createDecoder(frame);
    if (decoding.readVarUint(d) !== SyncMessage.sync) return none;
    if (decoding.readVarUint(d) === SyncStep.step1) return none;
    const { structs, ds } = Y.decodeUpdate(decoding.readVarUint8Array(d));
    return {
      zeroLength: structs.some((s) => s.length === 0),
      zeroLengthDelete: [...ds.clients.values()].some((ranges) => ranges.some((range) => range.len === 0)),
      bigInt: structs.some((s) => s instanceof Y.Item && s.content instanceof Y.ContentAny && hasBigInt(s.content.arr)),
      // Array items (no parentSub here: also map overwrites, which carry an origin instead).
      badCanvasEntry: structs.some(
        (s) =>
          s instanceof Y.Item &&
          s.parentSub === null &&
          s.content instanceof Y.ContentAny &&
          s.content.arr.some(badCanvasEntry),
      ),
    };
  } catch {
    return none; // not an update: the relay refuses it whole
  }
}

const ROOT_NAMES = ["settings", "notes", "canvas", "canvasMeta", "t", "a", "m", "xml", "__proto__", ""];
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
function editDoc(r: Rand, doc: Y.Doc, crashers: KnownCrashers): void {
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
function freshUpdate(r: Rand, crashers: KnownCrashers): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = r.uint32();
  doc.transact(() => {
    for (let i = r.small(3); i > 0; i--) editDoc(r, doc, crashers);
  });
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

/** A new client's "ab" in the text `t`, then a deleted zero-length item after it (see `KnownCrashers`). */
function zeroLengthUpdate(r: Rand): Uint8Array {
  const e = encoding.createEncoder();
  const client = r.uint32();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, 2);
  encoding.writeVarUint(e, client);
  encoding.writeVarUint(e, 0);
  encoding.writeUint8(e, 4); // string content, parent by name
  encoding.writeVarUint(e, 1);
  encoding.writeVarString(e, "t");
  encoding.writeVarString(e, "ab");
  encoding.writeUint8(e, 1 | 0x80); // deleted content, with an origin
  encoding.writeVarUint(e, client);
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, 0); // of length 0
  encoding.writeVarUint(e, 0); // no deletions
  return encoding.toUint8Array(e);
}

/**
 * Two new clients whose items point at each other: X@0 after Y@1, Y@0 after
 * X@0, Y@1 after Y@0. Every reference lies inside the update, yet the cycle
 * leaves them all pending. `duplicate` instead writes one client as two
 * blocks (Yjs keeps only the last); `zeroLengthDelete` adds a deletion of
 * length 0 at the end of Y's clock (see `KnownCrashers.pendingBehindException`).
 */
export function tangledUpdate(r: Rand, shape: "cycle" | "duplicate", zeroLengthDelete = false): Uint8Array {
  const x = r.uint32();
  const y = r.uint32();
  const e = encoding.createEncoder();
  const item = (origin: ID | null, text: string) => {
    encoding.writeUint8(e, origin ? 0x80 | 4 : 4);
    if (origin) {
      encoding.writeVarUint(e, origin.client);
      encoding.writeVarUint(e, origin.clock);
    } else {
      encoding.writeVarUint(e, 1);
      encoding.writeVarString(e, r.pick(["t", "canvas", "notes"]));
    }
    encoding.writeVarString(e, text);
  };
  encoding.writeVarUint(e, 2);
  if (shape === "cycle") {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, x);
    encoding.writeVarUint(e, 0);
    item({ client: y, clock: 1 }, "a");
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint(e, y);
    encoding.writeVarUint(e, 0);
    item({ client: x, clock: 0 }, "b");
    item({ client: y, clock: 0 }, "c");
  } else {
    // y@0, then y@1 in a second block of the same client.
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, y);
    encoding.writeVarUint(e, 0);
    item(null, "a");
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, y);
    encoding.writeVarUint(e, 1);
    item({ client: y, clock: 0 }, "b");
  }
  if (zeroLengthDelete) {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, y);
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint(e, 0);
  } else encoding.writeVarUint(e, 0);
  return encoding.toUint8Array(e);
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
function mergeOrFirst(updates: Uint8Array[]): Uint8Array {
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

type ID = { client: number; clock: number };

/**
 * A hand-written V1 update (y-protocols' encoding): client blocks with chosen
 * clocks, items whose origins, right origins and parents point at what the
 * relay has, at other items of the same update (cycles included), or at
 * nothing; GC and Skip structs, every content type, delete sets, and
 * occasional lies in the counts.
 */
export function synthUpdate(r: Rand, known: Map<number, number>): Uint8Array {
  const knownClients = [...known.keys()];
  const blocks: { client: number; clock: number; structs: { kind: number; length: number }[] }[] = [];
  for (let b = r.small(3); b > 0; b--) {
    let client: number;
    let clock: number;
    if (knownClients.length > 0 && r.chance(0.35)) {
      client = r.pick(knownClients);
      const have = known.get(client) ?? 0;
      clock = r.weighted([
        [6, have],
        [1, have + r.range(1, 5)],
        [1, r.int(have + 1)],
        [0.2, 2 ** 40],
      ]);
    } else if (blocks.length > 0 && r.chance(0.15)) {
      const prev = r.pick(blocks);
      client = prev.client;
      clock = r.chance(0.5) ? prev.clock + prev.structs.reduce((s, x) => s + x.length, 0) : r.int(4);
    } else {
      client = r.chance(0.05) ? r.pick([0, 2 ** 32 - 1, 2 ** 53 - 1]) : r.uint32();
      clock = r.weighted([
        [8, 0],
        [1, r.range(1, 9)],
        [0.2, 2 ** 45],
      ]);
    }
    const structs = Array.from({ length: r.small(4) }, () => {
      const kind = r.weighted([
        [1, 0], // GC
        [0.5, 10], // Skip
        [1, 1], // Deleted
        [0.5, 2], // JSON
        [0.5, 3], // Binary
        [4, 4], // String
        [0.5, 5], // Embed
        [0.5, 6], // Format
        [1, 7], // Type
        [4, 8], // Any
        [0.2, 9], // Doc
        [0.1, 11 + r.int(20)], // no such content
      ]);
      const length =
        kind === 0 || kind === 10 || kind === 1
          ? r.weighted([
              [6, r.range(1, 5)],
              [1, 0],
              [0.3, 2 ** 31],
            ])
          : kind === 4 || kind === 8 || kind === 2
            ? r.range(0, 4)
            : 1;
      return { kind, length };
    });
    blocks.push({ client, clock, structs });
  }
  // Every id this update will hold, to point at from inside it.
  const inside: ID[] = [];
  for (const block of blocks) {
    let clock = block.clock;
    for (const s of block.structs) {
      if (s.length > 0) inside.push({ client: block.client, clock: clock + r.int(Math.min(s.length, 1000)) });
      clock += s.length;
    }
  }
  const pointer = (): ID | null =>
    r.weighted<() => ID | null>([
      [3, () => null],
      [
        knownClients.length > 0 ? 3 : 0,
        () => {
          const client = r.pick(knownClients);
          return { client, clock: r.int(known.get(client) ?? 1) };
        },
      ],
      [inside.length > 0 ? 3 : 0, () => r.pick(inside)],
      [
        1,
        () => {
          const client = knownClients.length > 0 && r.chance(0.5) ? r.pick(knownClients) : r.uint32();
          return { client, clock: (known.get(client) ?? 0) + r.int(10) };
        },
      ],
    ])();

  const e = encoding.createEncoder();
  encoding.writeVarUint(e, r.chance(0.03) ? blocks.length + r.range(1, 2) : blocks.length);
  for (const block of blocks) {
    encoding.writeVarUint(e, r.chance(0.03) ? block.structs.length + r.pick([-1, 1, 1000]) : block.structs.length);
    encoding.writeVarUint(e, block.client);
    encoding.writeVarUint(e, block.clock);
    for (const s of block.structs) {
      if (s.kind === 0 || s.kind === 10) {
        encoding.writeUint8(e, s.kind);
        encoding.writeVarUint(e, s.length);
        continue;
      }
      const origin = pointer();
      const rightOrigin = r.chance(0.4) ? pointer() : null;
      const parentSub =
        !origin && !rightOrigin && r.chance(0.4) ? r.pick(["title", "prompts", "x", weirdString(r, 6)]) : null;
      let info = s.kind;
      if (origin) info |= 0x80;
      if (rightOrigin) info |= 0x40;
      if (parentSub !== null) info |= 0x20;
      encoding.writeUint8(e, info);
      if (origin) {
        encoding.writeVarUint(e, origin.client);
        encoding.writeVarUint(e, origin.clock);
      }
      if (rightOrigin) {
        encoding.writeVarUint(e, rightOrigin.client);
        encoding.writeVarUint(e, rightOrigin.clock);
      }
      if (!origin && !rightOrigin) {
        const parentId = r.chance(0.25) ? pointer() : null;
        if (parentId) {
          encoding.writeVarUint(e, 0);
          encoding.writeVarUint(e, parentId.client);
          encoding.writeVarUint(e, parentId.clock);
        } else {
          encoding.writeVarUint(e, 1);
          encoding.writeVarString(e, r.chance(0.9) ? r.pick(ROOT_NAMES) : weirdString(r, 8));
        }
        if (parentSub !== null) encoding.writeVarString(e, parentSub);
      }
      writeContent(r, e, s.kind, s.length);
    }
  }
  // Delete set.
  const dsClients = r.weighted([
    [5, 0],
    [3, 1],
    [1, 2],
  ]);
  encoding.writeVarUint(e, dsClients);
  for (let i = 0; i < dsClients; i++) {
    const target = r.weighted<() => ID>([
      [3, () => (inside.length > 0 ? r.pick(inside) : { client: r.uint32(), clock: 0 })],
      [
        3,
        () => {
          if (knownClients.length === 0) return { client: r.uint32(), clock: 0 };
          const client = r.pick(knownClients);
          return { client, clock: r.int(known.get(client) ?? 1) };
        },
      ],
      [1, () => ({ client: r.uint32(), clock: r.int(5) })],
    ])();
    encoding.writeVarUint(e, target.client);
    const ranges = r.small(3);
    encoding.writeVarUint(e, ranges);
    let clock = target.clock;
    for (let k = 0; k < ranges; k++) {
      const len = r.weighted([
        [6, r.range(1, 3)],
        [1, 0],
        [0.3, 2 ** 40],
      ]);
      encoding.writeVarUint(e, clock);
      encoding.writeVarUint(e, len);
      clock += len + r.int(3);
    }
  }
  return encoding.toUint8Array(e);
}

function writeContent(r: Rand, e: encoding.Encoder, kind: number, length: number): void {
  switch (kind) {
    case 1: // Deleted
      encoding.writeVarUint(e, length);
      return;
    case 2: // JSON
      encoding.writeVarUint(e, length);
      for (let i = 0; i < length; i++) {
        encoding.writeVarString(e, r.chance(0.9) ? JSON.stringify(weirdJson(r)) : r.pick(["undefined", "{", "nul"]));
      }
      return;
    case 3: // Binary
      encoding.writeVarUint8Array(e, r.bytes(r.int(20)));
      return;
    case 4: {
      // String; its length is counted in UTF-16 units by Yjs, ours may lie.
      let s = "";
      while (s.length < length) s += weirdString(r, length - s.length + 1);
      encoding.writeVarString(e, s.slice(0, length));
      return;
    }
    case 5: // Embed
      encoding.writeVarString(e, r.chance(0.9) ? JSON.stringify(weirdJson(r)) : "{");
      return;
    case 6: // Format
      encoding.writeVarString(e, r.pick(["bold", "href", weirdString(r, 6)]));
      encoding.writeVarString(e, r.chance(0.9) ? JSON.stringify(weirdJson(r)) : "[");
      return;
    case 7: {
      // Type: 0 array, 1 map, 2 text, 3 xml element, 4 xml fragment, 5 xml hook, 6 xml text
      const typeRef = r.chance(0.95) ? r.int(7) : r.range(7, 300);
      encoding.writeVarUint(e, typeRef);
      if (typeRef === 3 || typeRef === 5) encoding.writeVarString(e, weirdString(r, 8));
      return;
    }
    case 8: // Any
      encoding.writeVarUint(e, length);
      for (let i = 0; i < length; i++) encoding.writeAny(e, anyValue(r, 0, true) as never);
      return;
    case 9: // Doc
      encoding.writeVarString(e, weirdString(r, 12));
      encoding.writeAny(
        e,
        (r.chance(0.8) ? { gc: r.chance(0.5), meta: weirdString(r, 5) } : anyValue(r, 1, false)) as never,
      );
      return;
    default:
      encoding.writeUint8Array(e, r.bytes(r.int(8)));
  }
}

function stateVectorOf(r: Rand, known: Map<number, number>): Uint8Array {
  const e = encoding.createEncoder();
  const entries = [...known.entries()].filter(() => r.chance(0.7));
  if (r.chance(0.3)) entries.push([r.uint32(), r.int(100)]);
  if (r.chance(0.1)) entries.push([r.pick([...known.keys(), 1]), 2 ** 50]);
  encoding.writeVarUint(e, entries.length);
  for (const [client, clock] of entries) {
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, Math.max(0, clock + r.pick([0, 0, -1, 1, 5])));
  }
  return encoding.toUint8Array(e);
}

/** An awareness update as y-protocols encodes it: count, then (client, clock, JSON state). */
function awarenessPayload(r: Rand): Uint8Array {
  const e = encoding.createEncoder();
  const n = r.chance(0.05) ? r.range(20, 200) : r.small(3);
  encoding.writeVarUint(e, r.chance(0.03) ? n + 5 : n);
  for (let i = 0; i < n; i++) {
    encoding.writeVarUint(e, r.chance(0.1) ? r.pick([0, 1, 2 ** 32 - 1]) : r.uint32());
    encoding.writeVarUint(
      e,
      r.weighted([
        [5, r.int(10)],
        [1, 2 ** 31],
        [0.3, 2 ** 53 - 1],
      ]),
    );
    const state = r.weighted<() => string>([
      [
        5,
        () =>
          JSON.stringify({
            user: { name: weirdString(r, 20), color: "#ff0000" },
            cursor: { x: r.int(2000), y: r.int(1000) },
          }),
      ],
      [1, () => "null"],
      [1, () => JSON.stringify(weirdJson(r))],
      [0.5, () => "{" + weirdString(r, 10)],
      [0.1, () => JSON.stringify({ big: "x".repeat(r.range(10_000, 200_000)) })],
    ])();
    encoding.writeVarString(e, state);
  }
  return encoding.toUint8Array(e);
}

// ---------------------------------------------------------------------------
// Byte mutations

function varUintBytes(n: number): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, n);
  return encoding.toUint8Array(e);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x40, 0x20, 0x0a, 0x08, 0x77, 0x76, 0x75, 0x7a];

/** 1–3 stacked mutations: bit flips, interesting bytes, truncation, duplication, splices, insertions. */
export function mutate(r: Rand, input: Uint8Array, donors: readonly Uint8Array[]): Uint8Array {
  let bytes: Uint8Array = input.slice();
  for (let n = r.small(3); n > 0; n--) {
    const len = bytes.length;
    const at = r.int(len + 1);
    switch (
      r.weighted([
        [4, "flip"],
        [3, "byte"],
        [2, "truncate"],
        [1, "duplicate"],
        [2, "duplicateSlice"],
        [2, "deleteSlice"],
        [2, "insert"],
        [2, "splice"],
        [1, "varuint"],
      ] as const)
    ) {
      case "flip":
        if (len > 0) {
          for (let k = r.small(4); k > 0; k--) {
            const i = r.int(len);
            bytes[i] = bytes[i]! ^ (1 << r.int(8));
          }
        }
        break;
      case "byte":
        if (len > 0) bytes[r.int(len)] = r.chance(0.7) ? r.pick(INTERESTING_BYTES) : r.int(256);
        break;
      case "truncate":
        bytes = bytes.slice(0, r.int(len + 1));
        break;
      case "duplicate":
        bytes = concat(bytes, bytes);
        break;
      case "duplicateSlice": {
        const end = at + r.int(len - at + 1);
        bytes = concat(bytes.slice(0, end), bytes.slice(at, end), bytes.slice(end));
        break;
      }
      case "deleteSlice":
        bytes = concat(bytes.slice(0, at), bytes.slice(Math.min(len, at + r.small(8))));
        break;
      case "insert":
        bytes = concat(bytes.slice(0, at), r.bytes(r.small(8)), bytes.slice(at));
        break;
      case "splice": {
        const donor = donors.length > 0 ? r.pick(donors) : r.bytes(16);
        const from = r.int(donor.length + 1);
        bytes = concat(
          bytes.slice(0, at),
          donor.slice(from, from + r.range(1, 64)),
          bytes.slice(r.chance(0.5) ? at : len),
        );
        break;
      }
      case "varuint": {
        // Replace a byte by a varUint of an extreme value, or an over-long one lib0 must refuse.
        const big = r.chance(0.7)
          ? varUintBytes(r.pick([2 ** 31, 2 ** 32, 2 ** 53 - 1, 1e15, 127, 128, 16384]))
          : new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
        bytes = concat(bytes.slice(0, at), big, bytes.slice(Math.min(len, at + 1)));
        break;
      }
    }
  }
  return bytes;
}

/** A sync or awareness frame; `lie` writes a length prefix other than the payload's. */
function frame(prefix: number[], payload: Uint8Array, r: Rand | null = null): Uint8Array {
  const e = encoding.createEncoder();
  for (const p of prefix) encoding.writeVarUint(e, p);
  if (r && r.chance(0.5)) {
    const lie = r.weighted([
      [3, payload.length + r.range(1, 10)],
      [3, Math.max(0, payload.length - r.range(1, 10))],
      [1, 0],
      [1, 2 ** 31],
      [0.5, 2 ** 53 - 1],
    ]);
    encoding.writeVarUint(e, lie);
    encoding.writeUint8Array(e, payload);
  } else {
    encoding.writeVarUint8Array(e, payload);
  }
  return encoding.toUint8Array(e);
}

// ---------------------------------------------------------------------------
// The run

export type Endpoint = "screen" | "phone" | "http";
const ENDPOINTS: Endpoint[] = ["screen", "phone", "http"];

export interface FuzzBoard {
  boardId: string;
  joinCode: string;
  tokens: { facilitator: string; projector: string; coordinator: string };
}

export interface FuzzOptions {
  seed: number;
  /** Stop after this many frames (WebSocket messages and HTTP requests together). */
  frames: number;
  /** …or after this long, whichever comes first. */
  maxDurationMs: number;
  /** Concurrent sessions. */
  workers?: number;
  crashers?: KnownCrashers;
  /** Share of sessions per endpoint. */
  mix?: Partial<Record<Endpoint, number>>;
  /** Called every 200 ms during the run (e.g. to look at the relay's memory); a string is an anomaly. */
  probe?: () => string | null;
  log?: (line: string) => void;
}

export interface FuzzReport {
  seed: number;
  durationMs: number;
  frames: Record<Endpoint, number>;
  sessions: Record<Endpoint, number>;
  /** Closes the relay initiated, by endpoint and code ("4400", "1009"…). */
  closes: Record<Endpoint, Record<string, number>>;
  /** Upgrades refused with an HTTP status, by status. */
  upgradeRefusals: Record<string, number>;
  httpStatuses: Record<string, number>;
  phoneReplies: Record<string, number>;
  /** Frames of a known bug's family not sent, by family (see `KnownCrashers`). */
  heldBack: Record<string, number>;
  /** Client-side errors: timeouts, resets, refused connections. */
  errors: Record<string, number>;
  /** What the relay should not do (5xx, serving what Yjs cannot load…), with detail to look into. */
  anomalies: string[];
  /** Exceptions in the fuzzer itself. */
  fuzzerErrors: string[];
  /** Phone acknowledgements received for the victim board: must stay 0. */
  victimAcks: number;
  /** The relay stopped answering during the run. */
  relayDown: boolean;
  /** Longest answer of the `/api/health` probe during the run. */
  maxHealthMs: number;
  /** Longest stall of the fuzzer's own event loop (it delays the probe too when the relay runs in-process). */
  fuzzerLagMs: number;
  /** The target's links at the end (the run may rotate them). */
  target: FuzzBoard;
}

interface Ctx {
  baseUrl: string;
  wsBase: string;
  target: FuzzBoard;
  victim: FuzzBoard;
  /** Boards the run created through the API, free to delete. */
  scratch: FuzzBoard[];
  revoked: string[];
  corpus: YCorpus;
  /** What we learnt of each document's state vector, from the relay's sync messages. */
  known: Map<string, Map<number, number>>;
  /** Participants, and the note ids the relay acknowledged to each. */
  participants: string[];
  notesOf: Map<string, string[]>;
  allNotes: string[];
  crashers: KnownCrashers;
  report: FuzzReport;
  frameBudget: number;
  deadline: number;
  /**
   * The relay blocks an address after 20 unknown join codes, then allows one every 6 s
   * (LIMITS.joinFailureBurst): spend at most half the burst, at a slower pace.
   */
  guesses: { tokens: number; last: number };
  stopped: boolean;
  log: (line: string) => void;
}

/** May we try an unknown join code now without getting 127.0.0.1 blocked? */
function mayGuess(ctx: Ctx): boolean {
  const now = Date.now();
  const refillMs = LIMITS.joinFailureRefillMs + 1_000;
  ctx.guesses.tokens = Math.min(LIMITS.joinFailureBurst / 2, ctx.guesses.tokens + (now - ctx.guesses.last) / refillMs);
  ctx.guesses.last = now;
  if (ctx.guesses.tokens < 1) return false;
  ctx.guesses.tokens -= 1;
  return true;
}

function bump(map: Record<string, number>, key: string, n = 1): void {
  map[key] = (map[key] ?? 0) + n;
}

function budgetLeft(ctx: Ctx): boolean {
  if (ctx.stopped) return false;
  const total = ENDPOINTS.reduce((s, e) => s + ctx.report.frames[e], 0);
  if (total >= ctx.frameBudget || Date.now() >= ctx.deadline || ctx.report.relayDown) ctx.stopped = true;
  return !ctx.stopped;
}

function learnState(ctx: Ctx, key: string, update: Uint8Array): void {
  let meta: ReturnType<typeof Y.parseUpdateMeta>;
  try {
    meta = Y.parseUpdateMeta(update);
  } catch {
    ctx.report.anomalies.push(
      `${key}: the relay sent an update Yjs cannot parse (${Buffer.from(update).toString("hex").slice(0, 200)})`,
    );
    return;
  }
  let known = ctx.known.get(key);
  if (!known) ctx.known.set(key, (known = new Map()));
  for (const [client, clock] of meta.to) if (clock > (known.get(client) ?? 0)) known.set(client, clock);
}

type ScreenWho = {
  label: string;
  url: string;
  /** Key of the document in `ctx.known`, when the socket can be attached. */
  docKey: string | null;
  /** The relay applies this sender's updates. */
  writer: boolean;
  /** The relay attaches this socket (valid board, link and document for the role). */
  attaches?: boolean;
};

function wrongToken(ctx: Ctx, r: Rand): string {
  return r.weighted<() => string>([
    [3, () => r.uint32().toString(36).repeat(3)],
    [1, () => ""],
    [1, () => "x".repeat(r.pick([9, 10, 100, 101, 5000]))],
    [1, () => (ctx.revoked.length > 0 ? r.pick(ctx.revoked) : "revoked-none-yet")],
    [1, () => weirdString(r, 30)],
    [1, () => ctx.target.tokens.facilitator.slice(0, -1) + "A"],
  ])();
}

function pickScreen(ctx: Ctx, r: Rand): ScreenWho {
  const base = (boardId: string) => ctx.wsBase + boardSocketPath(boardId);
  const q = (token: string) => (r.chance(0.03) ? `?token=${uri(token)}&token=x` : `?token=${uri(token)}`);
  const t = ctx.target;
  const v = ctx.victim;
  return r.weighted<() => ScreenWho>([
    [
      10,
      () => ({
        label: "target facilitator room",
        attaches: true,
        url: `${base(t.boardId)}/room${q(t.tokens.facilitator)}`,
        docKey: `${t.boardId}/room`,
        writer: true,
      }),
    ],
    [
      2,
      () => ({
        label: "target facilitator inbox",
        attaches: true,
        url: `${base(t.boardId)}/inbox${q(t.tokens.facilitator)}`,
        docKey: `${t.boardId}/inbox`,
        writer: false,
      }),
    ],
    [
      2,
      () => ({
        label: "target projector room",
        attaches: true,
        url: `${base(t.boardId)}/room${q(t.tokens.projector)}`,
        docKey: `${t.boardId}/room`,
        writer: false,
      }),
    ],
    [
      1,
      () => ({
        label: "target coordinator room",
        attaches: true,
        url: `${base(t.boardId)}/room${q(t.tokens.coordinator)}`,
        docKey: `${t.boardId}/room`,
        writer: false,
      }),
    ],
    [
      4,
      () => ({
        label: "victim projector room",
        attaches: true,
        url: `${base(v.boardId)}/room${q(v.tokens.projector)}`,
        docKey: `${v.boardId}/room`,
        writer: false,
      }),
    ],
    [
      3,
      () => ({
        label: "victim coordinator room",
        attaches: true,
        url: `${base(v.boardId)}/room${q(v.tokens.coordinator)}`,
        docKey: `${v.boardId}/room`,
        writer: false,
      }),
    ],
    [
      1,
      () => ({
        label: "victim projector inbox",
        url: `${base(v.boardId)}/inbox${q(r.chance(0.5) ? v.tokens.projector : v.tokens.coordinator)}`,
        docKey: null,
        writer: false,
      }),
    ],
    [
      2,
      () => ({
        label: "victim wrong token",
        url: `${base(v.boardId)}/${r.pick(["room", "inbox"])}${r.chance(0.9) ? q(r.chance(0.3) ? t.tokens.facilitator : wrongToken(ctx, r)) : ""}`,
        docKey: null,
        writer: false,
      }),
    ],
    [
      1,
      () => ({
        label: "target wrong token",
        url: `${base(t.boardId)}/room${q(r.chance(0.3) ? v.tokens.projector : wrongToken(ctx, r))}`,
        docKey: null,
        writer: false,
      }),
    ],
    [
      1,
      () => ({
        label: "unknown board",
        url: `${base(r.chance(0.7) ? r.uint32().toString(36) : "a".repeat(32))}/room${q(r.chance(0.5) ? v.tokens.projector : wrongToken(ctx, r))}`,
        docKey: null,
        writer: false,
      }),
    ],
    [
      0.5,
      () => ({
        label: "bad path",
        url:
          ctx.wsBase +
          r.pick([
            `/ws/board/${v.boardId.toUpperCase()}/room`,
            `/ws/board/${v.boardId}/other`,
            `/ws/board/${"a".repeat(33)}/room`,
            `/ws/board/${v.boardId}/room/`,
            "/ws/board//room",
            `/ws/${v.boardId}`,
          ]) +
          q(v.tokens.projector),
        docKey: null,
        writer: false,
      }),
    ],
    [
      ctx.scratch.length > 0 ? 1 : 0,
      () => {
        const s = r.pick(ctx.scratch);
        return {
          label: "scratch facilitator room",
          attaches: true,
          url: `${base(s.boardId)}/room${q(s.tokens.facilitator)}`,
          docKey: `${s.boardId}/room`,
          writer: true,
        };
      },
    ],
  ])();
}

/** One frame for a board socket. */
function screenFrame(
  ctx: Ctx,
  r: Rand,
  who: ScreenWho,
  local: Y.Doc | null,
  localUpdates: Uint8Array[],
): Uint8Array | string {
  const known = (who.docKey && ctx.known.get(who.docKey)) || new Map<number, number>();
  const c = ctx.corpus;
  const update = (): Uint8Array =>
    r.weighted<() => Uint8Array>([
      [5, () => freshUpdate(r, ctx.crashers)],
      [local ? 6 : 0, () => localUpdates.shift() ?? freshUpdate(r, ctx.crashers)],
      [3, () => synthUpdate(r, known)],
      [1, () => r.pick(c.whole)],
      [2, () => r.pick(c.tails)],
      [2, () => r.pick(c.dependents)],
      [1, () => (c.deletesOnly.length > 0 ? r.pick(c.deletesOnly) : r.pick(c.dependents))],
      [0.5, () => r.pick(c.v2)],
      [0.5, () => mergeOrFirst([r.pick(c.whole), r.pick(c.tails)])],
      [ctx.crashers.zeroLengthStructs ? 2 : 0, () => zeroLengthUpdate(r)],
      // Refused, or caught after the fact by the relay (it reloads the board): rare, it closes everyone.
      [0.15, () => tangledUpdate(r, r.pick(["cycle", "duplicate"] as const))],
      [ctx.crashers.pendingBehindException ? 2 : 0, () => tangledUpdate(r, "cycle", true)],
    ])();
  if (local && localUpdates.length === 0 && r.chance(0.7)) {
    local.transact(() => {
      for (let i = r.small(2); i > 0; i--) editDoc(r, local, ctx.crashers);
    });
  }
  const donors = [...c.whole, ...c.tails];
  const kind = r.weighted([
    [6, "step1"],
    [2, "step1Mutated"],
    [12, "update"],
    [16, "updateMutated"],
    [3, "frameMutated"],
    [5, "awareness"],
    [3, "awarenessMutated"],
    [2, "queryAwareness"],
    [1, "auth"],
    [1.5, "unknownType"],
    [3, "random"],
    [0.5, "empty"],
    [0.5, "text"],
  ] as const);
  switch (kind) {
    case "step1":
      return frame([SyncMessage.sync, SyncStep.step1], r.chance(0.5) ? new Uint8Array([0]) : stateVectorOf(r, known));
    case "step1Mutated":
      return frame([SyncMessage.sync, SyncStep.step1], mutate(r, r.pick(c.stateVectors), c.stateVectors), r);
    case "update":
      return frame([SyncMessage.sync, r.chance(0.7) ? SyncStep.update : SyncStep.step2], update());
    case "updateMutated":
      return frame(
        [SyncMessage.sync, r.chance(0.7) ? SyncStep.update : SyncStep.step2],
        mutate(r, update(), donors),
        r.chance(0.2) ? r : null,
      );
    case "frameMutated":
      return mutate(r, frame([SyncMessage.sync, r.pick([0, 1, 2])], update()), donors);
    case "awareness":
      return frame([SyncMessage.awareness], awarenessPayload(r));
    case "awarenessMutated":
      return r.chance(0.5)
        ? frame([SyncMessage.awareness], mutate(r, awarenessPayload(r), []), r)
        : mutate(r, frame([SyncMessage.awareness], awarenessPayload(r)), []);
    case "queryAwareness":
      return r.chance(0.8)
        ? new Uint8Array([SyncMessage.queryAwareness])
        : concat(new Uint8Array([3]), r.bytes(r.small(8)));
    case "auth": {
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, SyncMessage.auth);
      encoding.writeVarUint(e, r.int(3));
      encoding.writeVarString(e, weirdString(r, 20));
      return encoding.toUint8Array(e);
    }
    case "unknownType":
      return concat(
        varUintBytes(
          r.weighted([
            [4, r.range(4, 127)],
            [1, r.range(128, 100_000)],
            [1, 2 ** 53 - 1],
          ]),
        ),
        r.bytes(r.small(16)),
      );
    case "random":
      return r.bytes(r.chance(0.9) ? r.int(64) : r.int(4096));
    case "empty":
      return new Uint8Array(0);
    case "text":
      return r.chance(0.5) ? weirdString(r, 100) : "\u0000\u0002\u0000";
  }
}

/**
 * Opens a socket; resolves once open, or with the reason it did not open.
 * `onOpen` runs inside the `open` event, before `ws` reads a close frame that
 * came with the handshake's answer.
 */
function openSocket(url: string, onOpen?: (ws: WebSocket) => void): Promise<{ ws: WebSocket } | { refused: string }> {
  return new Promise((resolve) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 5_000, maxPayload: 64 * 1024 * 1024 });
    } catch (error) {
      resolve({ refused: `client:${(error as Error).message.slice(0, 40)}` });
      return;
    }
    ws.once("open", () => {
      onOpen?.(ws);
      resolve({ ws });
    });
    ws.once("unexpected-response", (_req, res) => {
      resolve({ refused: `http ${res.statusCode ?? "?"}` });
      res.resume();
      ws.terminate();
    });
    ws.on("error", (error: Error & { code?: string }) =>
      resolve({ refused: error.code ?? error.message.slice(0, 60) }),
    );
  });
}

interface SessionEnd {
  code: number | null;
  reason: string;
  /** True when the fuzzer closed the socket itself. */
  ours: boolean;
}

function watchClose(ws: WebSocket): { ended: Promise<SessionEnd>; markOurs(): void; state: SessionEnd | null } {
  let ours = false;
  const watcher = {
    state: null as SessionEnd | null,
    ended: new Promise<SessionEnd>((resolve) =>
      ws.once("close", (code: number, reason: Buffer) => {
        watcher.state = { code, reason: reason.toString(), ours };
        resolve(watcher.state);
      }),
    ),
    markOurs: () => (ours = true),
  };
  ws.on("error", () => undefined);
  return watcher;
}

async function finishSession(
  ctx: Ctx,
  endpoint: Endpoint,
  ws: WebSocket,
  watcher: ReturnType<typeof watchClose>,
  r: Rand,
): Promise<void> {
  // Give the relay a moment to close on its own, then close politely (or just vanish).
  const relayClose = await Promise.race([watcher.ended, sleep(r.chance(0.3) ? 200 : 20).then(() => null)]);
  if (!relayClose) {
    watcher.markOurs();
    if (r.chance(0.8)) ws.close(1000);
    else ws.terminate();
  }
  const end = await Promise.race([watcher.ended, sleep(5_000).then(() => null)]);
  if (!end) {
    bump(ctx.report.errors, `${endpoint}: no close within 5 s`);
    ws.terminate();
    return;
  }
  // A code of our own (1000 sent, 1005 echoed, 1006 after terminate) is ours; any other came from the relay.
  const ours = end.ours && (end.code === 1000 || end.code === 1005 || end.code === 1006);
  bump(ctx.report.closes[endpoint], ours ? "by the fuzzer" : String(end.code));
}

async function screenSession(ctx: Ctx, r: Rand): Promise<void> {
  const who = pickScreen(ctx, r);
  ctx.report.sessions.screen++;
  // Invalid UTF-8 in a text frame, on a socket the relay is about to refuse (see `KnownCrashers`).
  const breakRefused = !who.attaches && !!ctx.crashers.receiverErrorsOnRefusedSockets && budgetLeft(ctx);
  const opened = await openSocket(who.url, (ws) => {
    if (!breakRefused) return;
    ws.send(INVALID_UTF8, { binary: false });
    ctx.report.frames.screen++;
  });
  if ("refused" in opened) {
    bump(ctx.report.upgradeRefusals, `screen ${opened.refused}`);
    if (opened.refused === "ECONNREFUSED") await relayMaybeDown(ctx);
    return;
  }
  const { ws } = opened;
  const watcher = watchClose(ws);
  // A third of the sessions sync first, then edit what the relay holds (valid, dependent updates).
  const syncFirst = who.docKey !== null && r.chance(0.35);
  let local: Y.Doc | null = null;
  const localUpdates: Uint8Array[] = [];
  let gotStep2: (() => void) | null = null;
  let heard = false;
  ws.on("message", (data: Buffer) => {
    heard = true;
    try {
      const d = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (decoding.readVarUint(d) !== SyncMessage.sync) return;
      const step = decoding.readVarUint(d);
      if (step === SyncStep.step1) return;
      const update = decoding.readVarUint8Array(d);
      if (who.docKey) learnState(ctx, who.docKey, update);
      if (local && step === SyncStep.step2) {
        Y.applyUpdate(local, update, "relay");
        if (local.store.pendingStructs || local.store.pendingDs) {
          ctx.report.anomalies.push(`${who.label}: the relay's sync step 2 leaves pending structs in a fresh client`);
        }
        gotStep2?.();
      }
    } catch (error) {
      ctx.report.anomalies.push(
        `${who.label}: a stock client could not apply the relay's message: ${String(error).slice(0, 120)}`,
      );
    }
  });
  const send = (f: Uint8Array | string) => {
    if (ws.readyState !== WebSocket.OPEN || !budgetLeft(ctx)) return false;
    ws.send(f, { binary: typeof f !== "string" });
    ctx.report.frames.screen++;
    return true;
  };
  if (syncFirst) {
    local = new Y.Doc();
    local.clientID = r.uint32();
    local.on("update", (u: Uint8Array, origin: unknown) => origin !== "relay" && localUpdates.push(u));
    const synced = new Promise<void>((resolve) => (gotStep2 = resolve));
    send(frame([SyncMessage.sync, SyncStep.step1], new Uint8Array([0])));
    await Promise.race([synced, watcher.ended, sleep(3_000)]);
  }
  const flood = r.chance(0.01);
  // Over the size limit: only to sockets the relay attaches, unless asked (see `KnownCrashers`).
  const oversize = !flood && r.chance(0.002) && (who.attaches || !!ctx.crashers.receiverErrorsOnRefusedSockets);
  const count = flood ? LIMITS.screenMessageBurst + r.range(50, 200) : r.chance(0.2) ? r.range(10, 40) : r.small(8);
  for (let i = 0; i < count && !watcher.state; i++) {
    if (oversize && i === count - 1) {
      // Only once the relay has spoken on this socket: it is attached, with an error listener.
      if (heard || ctx.crashers.receiverErrorsOnRefusedSockets) {
        send(concat(new Uint8Array([0, 2]), new Uint8Array(LIMITS.screenFrameBytes)));
      } else bump(ctx.report.heldBack, "receiverErrorsOnRefusedSockets");
      break;
    }
    let f = flood ? new Uint8Array([SyncMessage.queryAwareness]) : screenFrame(ctx, r, who, local, localUpdates);
    // Frames of a known bug's family are only sent when asked for (see `KnownCrashers`).
    for (let k = 0; k < 6; k++) {
      const family = heldBack(ctx.crashers, f);
      if (!family) break;
      bump(ctx.report.heldBack, family);
      f = k < 5 ? screenFrame(ctx, r, who, local, localUpdates) : new Uint8Array([SyncMessage.queryAwareness]);
    }
    if (!send(f)) break;
    if (!flood && r.chance(0.3)) await (r.chance(0.8) ? tick() : sleep(r.int(15)));
  }
  if (flood) await Promise.race([watcher.ended, sleep(1_000)]);
  await finishSession(ctx, "screen", ws, watcher, r);
  local?.destroy();
}

// ---------------------------------------------------------------------------
// Phones

function phoneFrame(
  ctx: Ctx,
  r: Rand,
  participant: string,
  attached: boolean,
  victim: boolean,
): { data: string | Buffer; binary: boolean } {
  const mine = ctx.notesOf.get(participant) ?? [];
  const noteId = (): unknown =>
    r.weighted<() => unknown>([
      [3, () => `fz${r.uint32().toString(36)}${r.uint32().toString(36)}`],
      [mine.length > 0 ? 3 : 0, () => r.pick(mine)],
      [ctx.allNotes.length > 0 ? 3 : 0, () => r.pick(ctx.allNotes)],
      [
        1,
        () =>
          r.pick(["short", "x".repeat(65), "bad id with spaces", "../../../x", "a".repeat(10), "", "__proto__aaaa"]),
      ],
      [0.5, () => weirdJson(r)],
    ])();
  const draft = () => ({
    id: noteId(),
    text: r.weighted<() => unknown>([
      [6, () => weirdString(r, 200)],
      [
        1,
        () =>
          "x".repeat(
            r.pick([LIMITS.noteTextMax, LIMITS.noteTextMax + 1, LIMITS.noteTextMax * 4, LIMITS.noteTextMax * 4 + 1]),
          ),
      ],
      [1, () => "   \n\t "],
      [0.5, () => weirdJson(r)],
    ])(),
    prompt: r.weighted<() => unknown>([
      [6, () => r.pick(["p1", "p2", "p3"])],
      [1, () => r.pick(["p9", "", "P1", "p1 ", weirdString(r, 10)])],
      [0.3, () => weirdJson(r)],
    ])(),
    category: r.weighted<() => unknown>([
      [6, () => r.pick(["c1", "c2", "c3", "c4", "c5", ""])],
      [1, () => r.pick(["c9", "nope", weirdString(r, 10)])],
      [0.3, () => weirdJson(r)],
    ])(),
    author: r.weighted<() => unknown>([
      [6, () => r.pick(["", "Camille", "Léa", "👩🏽‍🏫"])],
      [1, () => weirdString(r, 60)],
      [0.5, () => "a".repeat(r.pick([LIMITS.authorMax, LIMITS.authorMax + 1, LIMITS.authorMax * 4 + 1]))],
      [0.3, () => weirdJson(r)],
    ])(),
  });
  const message = (): Record<string, unknown> =>
    r.weighted<() => Record<string, unknown>>([
      [
        1,
        () => ({
          type: "hello",
          v: r.chance(0.9) ? PHONE_PROTOCOL_VERSION : r.pick<unknown>([0, 2, "1", 1.5, null]),
          participant: r.chance(0.8) ? participant : r.pick(ctx.participants),
        }),
      ],
      [6, () => ({ type: "submit", ...draft() })],
      [3, () => ({ type: "edit", ...draft() })],
      [2, () => ({ type: "withdraw", id: noteId() })],
      // Dots and "I'm done" may be accepted on a locked board: only for the target.
      [
        victim ? 0 : 1,
        () => ({ type: "vote", id: noteId(), target: noteId(), delta: r.pick<unknown>([1, -1, 1, 0, 2, "1"]) }),
      ],
      [victim ? 0 : 0.5, () => ({ type: "done", id: noteId() })],
    ])();
  const kind = r.weighted([
    [10, "valid"],
    [4, "fieldType"],
    [2, "extraField"],
    [2, "missingField"],
    [1, "unknownType"],
    [2, "jsonJunk"],
    [1, "deep"],
    [1, "binary"],
    [0.5, "invalidUtf8"],
    [0.5, "empty"],
    [0.3, "oversize"],
    [1, "bigString"],
  ] as const);
  const text = (m: unknown) => ({ data: JSON.stringify(m), binary: false });
  if ((kind === "invalidUtf8" || kind === "oversize") && !attached && !ctx.crashers.receiverErrorsOnRefusedSockets) {
    // A frame `ws` rejects, on a socket the relay may have refused: held back (see `KnownCrashers`).
    bump(ctx.report.heldBack, "receiverErrorsOnRefusedSockets");
    return text(message());
  }
  switch (kind) {
    case "valid":
      return text(message());
    case "fieldType": {
      const m = message();
      m[r.pick(Object.keys(m))] = r.pick<unknown>([
        null,
        42,
        true,
        [],
        {},
        ["p1"],
        { $ne: null },
        Number.MAX_VALUE,
        -0,
        "1e999",
      ]);
      return text(m);
    }
    case "extraField":
      return text({
        ...message(),
        [r.pick(["__proto__", "constructor", "extra", "owner", "participant", "status"])]: weirdJson(r),
      });
    case "missingField": {
      const m = message();
      delete m[r.pick(Object.keys(m))];
      return text(m);
    }
    case "unknownType":
      return text({
        ...message(),
        type: r.pick<unknown>(["submitt", "SUBMIT", "Vote", "DONE", "", null, 5, "welcome", "ack", "__proto__"]),
      });
    case "jsonJunk": {
      const m = JSON.stringify(message());
      return {
        data: r.pick([
          m.slice(0, r.int(m.length)),
          m + "}",
          "null",
          "[]",
          "0",
          '"hello"',
          "1e999",
          "{",
          weirdString(r, 50),
          m.replace(/"/g, "'"),
          `${m}${m}`,
        ]),
        binary: false,
      };
    }
    case "deep": {
      const depth = r.range(100, 2000);
      return { data: "[".repeat(depth) + "]".repeat(r.chance(0.8) ? depth : depth - 1), binary: false };
    }
    case "binary":
      return { data: Buffer.from(r.chance(0.5) ? r.bytes(r.int(64)) : JSON.stringify(message())), binary: true };
    case "invalidUtf8":
      return {
        data: Buffer.concat([
          Buffer.from('{"type":"hello","v":1,"participant":"'),
          Buffer.from([0xc3, 0x28, 0xff, 0xed, 0xa0, 0x80]),
          Buffer.from('"}'),
        ]),
        binary: false,
      };
    case "empty":
      return { data: "", binary: false };
    case "oversize":
      return { data: JSON.stringify({ ...message(), text: "x".repeat(LIMITS.phoneFrameBytes) }), binary: false };
    case "bigString":
      return text({ ...message(), text: weirdString(r, 60).repeat(30).slice(0, r.range(1000, 3900)) });
  }
}

function phoneCode(ctx: Ctx, r: Rand): { code: string; victim: boolean; attaches: boolean } {
  const t = ctx.target.joinCode;
  const v = ctx.victim.joinCode;
  const kind = r.weighted([
    [5, "target"],
    [4, "victim"],
    [1, "victimLower"],
    [1, "victimDashed"],
    [1, "unknown"],
    [0.5, "badPath"],
  ] as const);
  switch (kind) {
    case "target":
      return { code: t, victim: false, attaches: true };
    case "victim":
      return { code: v, victim: true, attaches: true };
    case "victimLower":
      return { code: v.toLowerCase(), victim: true, attaches: true };
    case "victimDashed":
      return { code: `${v.slice(0, 3)}-${v.slice(3)}`, victim: true, attaches: true };
    case "unknown":
      // Unknown codes count against 127.0.0.1 (see `mayGuess`); paths the upgrade refuses do not.
      return mayGuess(ctx)
        ? { code: r.pick(["ABCDEF", "222222", "ZZZZZZ", "IIIIII", "A", `${t}${t}`]), victim: false, attaches: false }
        : { code: t, victim: false, attaches: true };
    case "badPath":
      return { code: r.pick(["ABCDEFGHJKMNPQRSTUVWX", "ab cd", "%2e%2e", "../x"]), victim: false, attaches: false };
  }
}

async function phoneSession(ctx: Ctx, r: Rand): Promise<void> {
  const { code, victim, attaches } = phoneCode(ctx, r);
  ctx.report.sessions.phone++;
  const breakRefused = !attaches && !!ctx.crashers.receiverErrorsOnRefusedSockets && budgetLeft(ctx);
  const opened = await openSocket(ctx.wsBase + phoneSocketPath(code), (ws) => {
    if (!breakRefused) return;
    ws.send(INVALID_UTF8, { binary: false });
    ctx.report.frames.phone++;
  });
  if ("refused" in opened) {
    bump(ctx.report.upgradeRefusals, `phone ${opened.refused}`);
    if (opened.refused === "ECONNREFUSED") await relayMaybeDown(ctx);
    return;
  }
  const { ws } = opened;
  const watcher = watchClose(ws);
  let participant = r.pick(ctx.participants);
  let heard = false;
  ws.on("message", (data: Buffer) => {
    heard = true;
    let m: PhoneServerMessage;
    try {
      m = JSON.parse(data.toString("utf8")) as PhoneServerMessage;
    } catch {
      ctx.report.anomalies.push(
        `phone: the relay sent something that is not JSON: ${data.toString("hex").slice(0, 80)}`,
      );
      return;
    }
    bump(ctx.report.phoneReplies, m.type === "refused" ? `refused ${m.reason}` : m.type);
    if (victim && !["refused", "welcome", "board", "noteState"].includes(m.type)) {
      // Anything else means the locked victim accepted a message.
      ctx.report.victimAcks++;
      ctx.report.anomalies.push(`the victim board answered ${JSON.stringify(m).slice(0, 200)}`);
    } else if (m.type === "ack") {
      if (m.op === "submit" && !ctx.allNotes.includes(m.id)) {
        ctx.allNotes.push(m.id);
        ctx.notesOf.set(participant, [...(ctx.notesOf.get(participant) ?? []), m.id]);
      }
    }
  });
  const send = (data: string | Buffer, binary: boolean) => {
    if (ws.readyState !== WebSocket.OPEN || !budgetLeft(ctx)) return false;
    ws.send(data, { binary });
    ctx.report.frames.phone++;
    return true;
  };
  if (r.chance(0.9)) send(JSON.stringify({ type: "hello", v: PHONE_PROTOCOL_VERSION, participant }), false);
  const flood = r.chance(0.02);
  const count = flood ? LIMITS.phoneMessageBurst + r.range(20, 60) : r.chance(0.2) ? r.range(10, 30) : r.small(6);
  for (let i = 0; i < count && !watcher.state; i++) {
    // A frame `ws` rejects only once the relay has answered here (the socket is attached).
    const f = phoneFrame(ctx, r, participant, attaches && heard, victim);
    if (f.data.length > 20 && !f.binary && typeof f.data === "string" && f.data.includes('"hello"')) {
      try {
        const p = (JSON.parse(f.data) as { participant?: unknown }).participant;
        if (typeof p === "string") participant = p;
      } catch {
        // not JSON: no new participant
      }
    }
    if (!send(f.data, f.binary)) break;
    if (!flood && r.chance(0.5)) await (r.chance(0.7) ? tick() : sleep(r.int(20)));
  }
  if (flood) await Promise.race([watcher.ended, sleep(1_000)]);
  await finishSession(ctx, "phone", ws, watcher, r);
  // A valid code refused: a rotation raced this session, or 127.0.0.1 is blocked for guessing.
  if (attaches && watcher.state?.code === 4404) bump(ctx.report.errors, "phone: a rotated join code was refused");
  if (watcher.state?.reason.includes("unknown codes")) {
    ctx.report.anomalies.push(
      `phone: 127.0.0.1 blocked for unknown join codes (${code}): the fuzzer guessed too often`,
    );
  }
}

// ---------------------------------------------------------------------------
// HTTP

interface HttpAttempt {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | null;
}

/** encodeURIComponent, with lone surrogates replaced (it throws on them). */
function uri(text: string): string {
  return encodeURIComponent(
    text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"),
  );
}

/** A path of the API and the method its route answers. */
function apiRoute(ctx: Ctx, r: Rand, boardId: string): [string, string] {
  const noteId =
    ctx.allNotes.length > 0 && r.chance(0.6)
      ? r.pick(ctx.allNotes)
      : r.pick(["nope", "x".repeat(70), "a-b_c", weirdString(r, 8)]);
  const snapshot = r.pick(["live", "live", "nosuchsnapshot", "x".repeat(33)]);
  const format = r.pick(["tally.csv", "notes.csv", "board.json", "tally.json", "board.png", "board.svg", "x.exe"]);
  const role = r.pick(["facilitator", "projector", "coordinator", "participant", "admin", "x"]);
  const code =
    r.chance(0.2) && mayGuess(ctx)
      ? r.pick(["abc-def", "ZZZZZZ", "A B C D E F"])
      : r.pick([ctx.target.joinCode, ctx.victim.joinCode, ctx.victim.joinCode.toLowerCase()]);
  return r.weighted<() => [string, string]>([
    [2, () => ["/api/health", "GET"]],
    [1, () => ["/api/server", "GET"]],
    [3, () => ["/api/boards", "POST"]],
    [2, () => [`/api/join/${uri(code)}`, "GET"]],
    [4, () => [`/api/boards/${boardId}`, r.chance(0.9) ? "GET" : "DELETE"]],
    [3, () => [`/api/boards/${boardId}/settings`, "PATCH"]],
    [3, () => [`/api/boards/${boardId}/notes/${uri(noteId)}`, "POST"]],
    [2, () => [`/api/boards/${boardId}/links/${role}`, "POST"]],
    [2, () => [`/api/boards/${boardId}/snapshots`, r.chance(0.5) ? "GET" : "POST"]],
    [1, () => [`/api/boards/${boardId}/close`, "POST"]],
    [2, () => [`/api/boards/${boardId}/snapshots/${snapshot}/${format}${r.chance(0.3) ? "?sep=," : ""}`, "GET"]],
    [2, () => [`/api/boards/${boardId}/retention`, "PATCH"]],
    [1, () => ["/api/boards/import", "POST"]],
    [1, () => [`/api/${uri(weirdString(r, 20))}`, "GET"]],
  ])();
}

function pathMutation(r: Rand, path: string): string {
  return r.weighted<() => string>([
    [10, () => path],
    [1, () => path + "/"],
    [1, () => path + "?" + uri(weirdString(r, 20)) + "=" + uri(weirdString(r, 20))],
    [1, () => path.replace("/api/", "/api//")],
    [1, () => path.replace("boards", "%62oards")],
    [1, () => path.toUpperCase()],
    [0.5, () => path + "/" + "x".repeat(r.pick([100, 5_000, 20_000]))],
    [0.5, () => path.replace(/\/[^/]*$/, "/..%2f..%2f")],
    [0.5, () => path + "#frag"],
  ])();
}

function apiBody(ctx: Ctx, r: Rand, path: string): Buffer | null {
  const valid = (): unknown => {
    if (path.endsWith("/settings")) {
      const patch: Record<string, unknown> = {};
      if (r.chance(0.5)) patch.submissions = r.pick(["open", "locked", "open"]);
      if (r.chance(0.3)) patch.moderation = r.pick(["open", "controlled"]);
      if (r.chance(0.4)) patch.phase = r.pick(["collect", "reveal", "group", "vote", "collect", "closed", "done"]);
      if (r.chance(0.2)) patch.hideTextsUntilReveal = r.pick<unknown>([true, false, "yes"]);
      if (r.chance(0.3)) {
        patch.vote = {
          open: r.chance(0.7),
          target: r.pick(["notes", "themes", "people"]),
          dots: r.pick([3, 1, 20, 0, 21]),
        };
      }
      if (r.chance(0.3)) {
        patch.timer = r.pick<unknown>([
          { action: "start", durationMs: r.pick([1000, 300_000, 999, 4 * 3_600_000 + 1, 1.5]) },
          { action: "pause" },
          { action: "resume" },
          { action: "reset" },
          { action: "stop" },
        ]);
      }
      return patch;
    }
    if (path.includes("/notes/"))
      return r.pick<unknown>([
        { action: "approve" },
        { action: "hide" },
        { action: "unhide" },
        { action: "edit", text: weirdString(r, 300) },
      ]);
    if (path.endsWith("/retention")) return { days: r.pick<unknown>([1, 30, 3650, 0, 3651, null, 1.5, "7"]) };
    if (path.endsWith("/snapshots") || path.endsWith("/close")) {
      return r.pick<unknown>([
        { name: weirdString(r, 40) },
        { svg: `<svg width="${r.int(2000)}" height="10"></svg>` },
        { png: Buffer.from([137, 80, 78, 71, 13, 10, 26, 10, ...r.bytes(40)]).toString("base64") },
        { png: "not base64 !!" },
        { svg: "<div>" },
      ]);
    }
    if (path.endsWith("/import"))
      return { version: r.pick([1, 2]), board: { title: weirdString(r, 20), date: "2026-01-01" }, room: weirdJson(r) };
    return {
      title: r.chance(0.9) ? weirdString(r, 100) : "",
      date: r.pick(["2026-11-30", "2026-13-45", "tomorrow"]),
      prompts: Array.from({ length: r.range(0, 14) }, () => weirdString(r, 50)),
      categories: Array.from({ length: r.range(0, 3) }, () => weirdString(r, 50)),
      ...(r.chance(0.3) ? { moderation: r.pick(["open", "controlled", "strict"]) } : {}),
      ...(r.chance(0.3) ? { template: r.pick(["blank", "bilan", "actions", "kanban"]) } : {}),
    };
  };
  return r.weighted<() => Buffer | null>([
    [3, () => null],
    [6, () => Buffer.from(JSON.stringify(valid()))],
    [3, () => Buffer.from(mutate(r, Buffer.from(JSON.stringify(valid())), []))],
    [1, () => Buffer.from(JSON.stringify(weirdJson(r)))],
    [0.5, () => Buffer.from("{" + '"a":'.repeat(1) + "[".repeat(r.range(10, 5000)))],
    [0.3, () => Buffer.from(JSON.stringify({ title: "x".repeat(70 * 1024) }))],
    [0.5, () => Buffer.from(r.bytes(r.int(200)))],
  ])();
}

function authHeader(ctx: Ctx, r: Rand, method: string, boardId: string): string | null {
  const t = ctx.target.tokens;
  const scratch = ctx.scratch.find((s) => s.boardId === boardId);
  const token = r.weighted<() => string | null>([
    [2, () => null],
    [boardId === ctx.target.boardId ? 5 : 1, () => t.facilitator],
    [2, () => t.projector],
    // Deleting the target would end the run: its coordinator never sends DELETE.
    [method === "DELETE" ? 0 : 2, () => t.coordinator],
    [2, () => ctx.victim.tokens.projector],
    [scratch ? 4 : 0, () => (scratch ? r.pick([scratch.tokens.facilitator, scratch.tokens.coordinator]) : null)],
    [3, () => wrongToken(ctx, r)],
  ])();
  if (token === null) return null;
  return r.weighted<() => string>([
    [10, () => `Bearer ${token}`],
    [1, () => `bearer ${token}`],
    [1, () => `Bearer  ${token}  `],
    [1, () => `Basic ${Buffer.from(`x:${token}`).toString("base64")}`],
    [1, () => `Bearer ${token}, Bearer ${wrongToken(ctx, r)}`],
    [0.5, () => "Bearer " + "x".repeat(r.pick([100, 10_000, 20_000]))],
  ])();
}

function httpAttempt(ctx: Ctx, r: Rand): HttpAttempt {
  const scratch = ctx.scratch.length > 0 && r.chance(0.2) ? r.pick(ctx.scratch) : null;
  const boardId = r.weighted<() => string>([
    [6, () => ctx.target.boardId],
    [5, () => ctx.victim.boardId],
    [scratch ? 3 : 0, () => scratch!.boardId],
    [1, () => r.pick(["nosuchboard", "a".repeat(32), "a".repeat(33), "UPPER", "..", "%00"])],
  ])();
  const [routePath, routeMethod] = apiRoute(ctx, r, boardId);
  const method = r.chance(0.75)
    ? routeMethod
    : r.weighted([
        [6, "GET"],
        [5, "POST"],
        [3, "PATCH"],
        [1, "DELETE"],
        [1, "PUT"],
        [0.5, "HEAD"],
        [0.5, "OPTIONS"],
        [0.3, "PROPFIND"],
      ]);
  const path = pathMutation(r, routePath);
  const headers: Record<string, string> = {};
  let auth = authHeader(ctx, r, method, boardId);
  // The victim only hears from links that may not change it: never its facilitator or coordinator.
  if (
    auth &&
    boardId === ctx.victim.boardId &&
    (auth.includes(ctx.victim.tokens.coordinator) || auth.includes(ctx.victim.tokens.facilitator))
  )
    auth = null;
  if (auth) headers.Authorization = auth;
  if (r.chance(0.7))
    headers["Content-Type"] = r.pick([
      "application/json",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/json; charset=latin1",
    ]);
  if (r.chance(0.1)) headers["X-Forwarded-For"] = r.pick(["10.0.0.1", "127.0.0.1, 8.8.8.8"]);
  if (r.chance(0.05)) headers.Origin = "http://evil.example";
  return {
    method,
    path,
    headers,
    body:
      method === "GET" || method === "HEAD" ? (r.chance(0.1) ? apiBody(ctx, r, path) : null) : apiBody(ctx, r, path),
  };
}

function doRequest(ctx: Ctx, a: HttpAttempt): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    let req;
    try {
      const url = new URL(ctx.baseUrl);
      req = httpRequest({
        host: url.hostname,
        port: url.port,
        method: a.method,
        path: a.path,
        headers: a.body ? { ...a.headers, "Content-Length": String(a.body.length) } : a.headers,
        agent: false,
        timeout: 10_000,
      });
    } catch (error) {
      resolve({ error: `client refused: ${(error as Error & { code?: string }).code ?? "?"}` });
      return;
    }
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.length < 64 && chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8").slice(0, 4096) }),
      );
      res.on("error", () => resolve({ status: res.statusCode ?? 0, body: "" }));
    });
    req.on("timeout", () => {
      req.destroy();
      resolve({ error: "timeout" });
    });
    req.on("error", (error: Error & { code?: string }) => resolve({ error: error.code ?? error.message.slice(0, 40) }));
    req.end(a.body ?? undefined);
  });
}

/** A request written byte by byte, for what node:http would not send: lies in framing and odd targets. */
function rawAttempt(ctx: Ctx, r: Rand): { bytes: Buffer; expectHang: boolean; label: string; attempt: HttpAttempt } {
  const a = httpAttempt(ctx, r);
  const headers = Object.entries(a.headers).map(([k, v]) => `${k}: ${v}`);
  let target = a.path;
  let method = a.method;
  let expectHang = false;
  let body: Buffer = a.body ?? Buffer.alloc(0);
  const shape = r.weighted([
    [3, "plain"],
    [2, "lengthLie"],
    [1, "chunked"],
    [1, "badMethod"],
    [1, "absoluteForm"],
    [1, "hugeHeader"],
    [1, "pipelined"],
    [1, "garbageHeader"],
    [ctx.crashers.invalidRequestTargets ? 3 : 0, "invalidAuthority"],
  ] as const);
  let contentLength: string | null = body.length > 0 ? String(body.length) : null;
  switch (shape) {
    case "plain":
      break;
    case "lengthLie":
      if (r.chance(0.5)) {
        contentLength = String(body.length + r.range(1, 100));
        expectHang = true;
      } else {
        contentLength = String(Math.max(0, body.length - r.range(1, 10)));
      }
      break;
    case "chunked":
      contentLength = null;
      headers.push("Transfer-Encoding: chunked");
      body = Buffer.concat([
        Buffer.from(`${r.chance(0.7) ? body.length.toString(16) : "zz"}\r\n`),
        body,
        Buffer.from(r.chance(0.7) ? "\r\n0\r\n\r\n" : "\r\n"),
      ]);
      expectHang = true;
      break;
    case "badMethod":
      method = r.pick(["get", "G E T", "GETT", "\u0000GET", "CONNECT", "TRACE"]);
      break;
    case "absoluteForm":
      target = `${ctx.baseUrl}${a.path}`;
      break;
    case "hugeHeader":
      headers.push(`X-Big: ${"x".repeat(r.pick([8_000, 20_000, 100_000]))}`);
      break;
    case "pipelined":
      break;
    case "garbageHeader":
      headers.push(r.pick(["X-Bad: a\u0000b", "no colon here", "X-Latin: é", ": empty-name", "X-Fold: a\r\n  b"]));
      break;
    case "invalidAuthority":
      target = r.pick([
        "//[",
        "//[/api/health",
        "//%/api/health",
        `//a:b:c${a.path}`,
        `http://[${a.path}`,
        `//x:99999${a.path}`,
        "//@",
      ]);
      break;
  }
  if (contentLength !== null) headers.push(`Content-Length: ${contentLength}`);
  const head = `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.join("\r\n")}${headers.length ? "\r\n" : ""}Connection: close\r\n\r\n`;
  let bytes = Buffer.concat([Buffer.from(head, "latin1"), body]);
  if (shape === "pipelined") {
    const next = "GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    bytes = Buffer.concat([Buffer.from(head.replace("Connection: close\r\n", ""), "latin1"), body, Buffer.from(next)]);
  }
  return { bytes, expectHang, label: shape, attempt: { ...a, method, path: target } };
}

type RawResult = { status: number; body: string } | { error: string };

/** Writes bytes to the relay's port and reads the first response (its status and JSON body). */
function doRaw(ctx: Ctx, bytes: Buffer, timeoutMs: number): Promise<RawResult> {
  return new Promise((resolve) => {
    const url = new URL(ctx.baseUrl);
    const socket = netConnect(Number(url.port), url.hostname);
    let data = Buffer.alloc(0);
    let done = false;
    const parsed = (): { status: number; body: string; complete: boolean } | null => {
      const end = data.indexOf("\r\n\r\n");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data.subarray(0, 16).toString("latin1"));
      if (!m || end < 0) return null;
      const head = data.subarray(0, end).toString("latin1");
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
      const body = data.subarray(end + 4);
      return {
        status: Number(m[1]),
        body: body.subarray(0, Number.isNaN(length) ? body.length : length).toString("utf8"),
        complete: !Number.isNaN(length) && body.length >= length,
      };
    };
    const finish = (result: RawResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(parsed() ?? { error: "timeout" }), timeoutMs);
    socket.on("connect", () => socket.write(bytes));
    socket.on("data", (d: Buffer) => {
      data = Buffer.concat([data, d]);
      const response = parsed();
      if (response?.complete) finish(response);
    });
    socket.on("error", (error: Error & { code?: string }) => finish(parsed() ?? { error: error.code ?? "error" }));
    socket.on("close", () =>
      finish(parsed() ?? (data.length === 0 ? { error: "closed without answer" } : { error: "unparsable answer" })),
    );
  });
}

async function httpSession(ctx: Ctx, r: Rand): Promise<void> {
  if (!budgetLeft(ctx)) return;
  ctx.report.sessions.http++;
  ctx.report.frames.http++;
  if (r.chance(0.25)) {
    const raw = rawAttempt(ctx, r);
    const result = await doRaw(ctx, raw.bytes, raw.expectHang ? 1_500 : 10_000);
    if ("status" in result) {
      bump(ctx.report.httpStatuses, String(result.status));
      if (result.status === 200 || result.status === 201) learnFromApi(ctx, raw.attempt, result.body);
      if (result.status >= 500)
        ctx.report.anomalies.push(
          `raw HTTP (${raw.label}) answered ${result.status}: ${JSON.stringify(raw.bytes.toString("latin1").slice(0, 200))}`,
        );
    } else {
      bump(
        ctx.report.errors,
        `http raw ${result.error}${raw.expectHang && result.error === "timeout" ? " (expected)" : ""}`,
      );
      if (result.error === "ECONNREFUSED" || (result.error === "timeout" && !raw.expectHang)) await relayMaybeDown(ctx);
    }
    return;
  }
  const a = httpAttempt(ctx, r);
  let result = await doRequest(ctx, a);
  if ("error" in result && result.error.startsWith("client refused")) {
    // node:http will not send this method, path or header: write it by hand.
    const head = [`${a.method} ${a.path} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close"];
    for (const [k, v] of Object.entries(a.headers)) head.push(`${k}: ${v}`);
    if (a.body) head.push(`Content-Length: ${a.body.length}`);
    const bytes = Buffer.concat([Buffer.from(head.join("\r\n") + "\r\n\r\n", "utf8"), a.body ?? Buffer.alloc(0)]);
    const raw = await doRaw(ctx, bytes, 10_000);
    result = raw;
  }
  if ("error" in result) {
    bump(ctx.report.errors, `http ${result.error}`);
    if (result.error === "ECONNREFUSED" || result.error === "timeout") await relayMaybeDown(ctx);
    return;
  }
  bump(ctx.report.httpStatuses, String(result.status));
  if (result.status >= 500)
    ctx.report.anomalies.push(
      `${a.method} ${a.path.slice(0, 120)} answered ${result.status}: ${result.body.slice(0, 200)}`,
    );
  if (result.status === 200 || result.status === 201) learnFromApi(ctx, a, result.body);
}

/** Follows what the API changed: rotated links, new boards, deleted scratch boards. */
function learnFromApi(ctx: Ctx, a: HttpAttempt, body: string): void {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return;
  }
  const path = new URL(a.path, "http://x").pathname;
  const rotated = /^\/api\/boards\/([a-z0-9]+)\/links\/([a-z]+)$/.exec(path);
  if (a.method === "POST" && rotated && typeof json.link === "string") {
    const board = [ctx.target, ctx.victim, ...ctx.scratch].find((b) => b.boardId === rotated[1]);
    if (board === ctx.victim)
      ctx.report.anomalies.push(`the victim's ${rotated[2]} link was rotated by ${a.headers.Authorization}`);
    if (!board) return;
    const link = new URL(json.link);
    if (rotated[2] === "participant") board.joinCode = link.pathname.split("/").pop()!;
    else if (rotated[2] === "facilitator" || rotated[2] === "projector" || rotated[2] === "coordinator") {
      ctx.revoked.push(board.tokens[rotated[2]]);
      board.tokens[rotated[2]] = link.hash.replace("#key=", "");
    }
    return;
  }
  if (a.method === "POST" && path === "/api/boards" && typeof json.boardId === "string" && ctx.scratch.length < 20) {
    const links = json.links as Record<string, string>;
    const token = (l: string | undefined) => (l ? new URL(l).hash.replace("#key=", "") : "");
    ctx.scratch.push({
      boardId: json.boardId,
      joinCode: String(json.joinCode),
      tokens: {
        facilitator: token(links.facilitator),
        projector: token(links.projector),
        coordinator: token(links.coordinator),
      },
    });
    return;
  }
  if (a.method === "DELETE" && typeof json.deleted === "string") {
    if (json.deleted === ctx.target.boardId || json.deleted === ctx.victim.boardId)
      ctx.report.anomalies.push(`board ${json.deleted} was deleted`);
    ctx.scratch = ctx.scratch.filter((s) => s.boardId !== json.deleted);
  }
}

/** A refused connection or a timeout: is the relay still there? */
async function relayMaybeDown(ctx: Ctx): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await healthMs(ctx.baseUrl, 5_000)) !== null) return;
    await sleep(300);
  }
  if (!ctx.report.relayDown) ctx.log("the relay does not answer /api/health any more: stopping");
  ctx.report.relayDown = true;
}

export async function healthMs(baseUrl: string, timeoutMs: number): Promise<number | null> {
  const start = Date.now();
  try {
    const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json()) as { ok?: boolean };
    return res.status === 200 && body.ok === true ? Date.now() - start : null;
  } catch {
    return null;
  }
}

/** Crashing request targets also crash an upgrade: the upgrade handler parses the URL too. */
async function invalidUpgrade(ctx: Ctx, r: Rand): Promise<void> {
  ctx.report.frames.http++;
  ctx.report.sessions.http++;
  const target = r.pick(["//[/ws/board/x/room", "http://[/ws/phone/ABCDEF", "//%/ws/phone/ABCDEF"]);
  const bytes = Buffer.from(
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
  );
  const result = await doRaw(ctx, bytes, 3_000);
  bump(ctx.report.errors, `invalid upgrade ${"status" in result ? result.status : result.error}`);
}

export async function fuzzRelay(
  baseUrl: string,
  boards: { target: FuzzBoard; victim: FuzzBoard },
  options: FuzzOptions,
): Promise<FuzzReport> {
  const master = Rand.seeded(options.seed);
  const log = options.log ?? (() => undefined);
  const report: FuzzReport = {
    seed: options.seed,
    durationMs: 0,
    frames: { screen: 0, phone: 0, http: 0 },
    sessions: { screen: 0, phone: 0, http: 0 },
    closes: { screen: {}, phone: {}, http: {} },
    upgradeRefusals: {},
    httpStatuses: {},
    phoneReplies: {},
    heldBack: {},
    errors: {},
    anomalies: [],
    fuzzerErrors: [],
    victimAcks: 0,
    relayDown: false,
    maxHealthMs: 0,
    fuzzerLagMs: 0,
    target: structuredClone(boards.target),
  };
  const participants = Array.from({ length: 24 }, (_, i) => `fuzz-participant-${options.seed}-${i}`);
  const ctx: Ctx = {
    baseUrl,
    wsBase: baseUrl.replace(/^http/, "ws"),
    target: report.target,
    // The fuzzer never holds the victim's facilitator token.
    victim: { ...boards.victim, tokens: { ...boards.victim.tokens, facilitator: "withheld-victim-facilitator" } },
    scratch: [],
    revoked: [],
    corpus: buildCorpus(master.fork()),
    known: new Map(),
    participants,
    notesOf: new Map(),
    allNotes: [],
    crashers: options.crashers ?? {},
    report,
    frameBudget: options.frames,
    deadline: Date.now() + options.maxDurationMs,
    guesses: { tokens: LIMITS.joinFailureBurst / 2, last: Date.now() },
    stopped: false,
    log,
  };
  const mix = { screen: 0.55, phone: 0.3, http: 0.15, ...options.mix };
  const start = Date.now();

  const lag = monitorEventLoopDelay({ resolution: 20 });
  lag.enable();
  let probing = true;
  const monitor = (async () => {
    while (probing) {
      const ms = await healthMs(baseUrl, 5_000);
      if (ms === null) {
        if (!report.relayDown) await relayMaybeDown(ctx);
      } else report.maxHealthMs = Math.max(report.maxHealthMs, ms);
      const found = options.probe?.();
      if (found && !report.anomalies.includes(found)) report.anomalies.push(found);
      await sleep(200);
    }
  })();

  let lastLog = Date.now();
  const workers = Array.from({ length: options.workers ?? 8 }, async () => {
    const worker = master.fork();
    while (budgetLeft(ctx)) {
      // Each session draws from its own generator: how long the previous one lasted changes nothing.
      const r = worker.fork();
      const endpoint = r.weighted([
        [mix.screen, "screen"],
        [mix.phone, "phone"],
        [mix.http, "http"],
      ] as const);
      try {
        if (endpoint === "screen") await screenSession(ctx, r);
        else if (endpoint === "phone") await phoneSession(ctx, r);
        else if (ctx.crashers.invalidRequestTargets && r.chance(0.1)) await invalidUpgrade(ctx, r);
        else await httpSession(ctx, r);
      } catch (error) {
        report.fuzzerErrors.push(`${endpoint}: ${String(error).slice(0, 200)}`);
      }
      if (Date.now() - lastLog > 5_000) {
        lastLog = Date.now();
        const total = ENDPOINTS.reduce((s, e) => s + report.frames[e], 0);
        log(`fuzz seed ${options.seed}: ${total} frames in ${((Date.now() - start) / 1000).toFixed(0)} s`);
      }
    }
  });
  await Promise.all(workers);
  probing = false;
  await monitor;
  report.durationMs = Date.now() - start;
  lag.disable();
  report.fuzzerLagMs = Math.round(lag.max / 1e6);
  return report;
}

// ---------------------------------------------------------------------------
// Setting up, checking, reporting

/** A target board and a victim whose submissions are locked, so every phone message to it is refused. */
export async function prepareBoards(baseUrl: string): Promise<{ target: FuzzBoard; victim: FuzzBoard }> {
  const target = await createTestBoard(baseUrl);
  const victim = await createTestBoard(baseUrl, { title: "Victime" });
  const res = await fetch(`${baseUrl}/api/boards/${victim.boardId}/settings`, {
    method: "PATCH",
    headers: { Authorization: `Bearer ${victim.tokens.facilitator}`, "Content-Type": "application/json" },
    body: JSON.stringify({ submissions: "locked" }),
  });
  if (res.status !== 200) throw new Error(`locking the victim: ${res.status}`);
  const strip = (b: typeof target): FuzzBoard => ({
    boardId: b.boardId,
    joinCode: b.joinCode,
    tokens: { ...b.tokens },
  });
  return { target: strip(target), victim: strip(victim) };
}

export function openDb(dataDir: string): Database.Database {
  return new Database(`${dataDir}/atelier.sqlite`, { readonly: true, fileMustExist: true });
}

/** `boardDigest` of tests/support/db.ts, on a database opened directly. */
export function digestOf(db: Database.Database, boardId: string): string {
  return boardDigest({ storage: { db } } as unknown as Relay, boardId);
}

/**
 * Waits until a board's log no longer changes by itself: the idle unload
 * compacts a log of more than one entry once, after which it is stable.
 */
export async function waitUntilSettled(db: Database.Database, boardId: string, timeoutMs = 20_000): Promise<void> {
  const count = () =>
    (db.prepare("SELECT COUNT(*) AS n FROM updates WHERE board_id = ? AND doc = 'room'").get(boardId) as { n: number })
      .n;
  await waitFor(() => count() === 1, timeoutMs, `board ${boardId} to be compacted by its idle unload`);
}

/** Every stored row of a board, per table, to say what changed when a digest differs. */
export function boardRows(db: Database.Database, boardId: string): Record<string, string[]> {
  const rows: Record<string, string[]> = {};
  for (const table of ["updates", "note_owners", "snapshots", "links", "boards"]) {
    const column = table === "boards" ? "id" : "board_id";
    rows[table] = db
      .prepare(`SELECT * FROM ${table} WHERE ${column} = ? ORDER BY rowid`)
      .all(boardId)
      .map((row) => JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString("hex") : v)));
  }
  return rows;
}

/** What differs between two `boardRows`, in a few lines. */
export function describeRowChanges(before: Record<string, string[]>, after: Record<string, string[]>): string {
  const lines: string[] = [];
  for (const table of Object.keys(before)) {
    const gone = before[table]!.filter((row) => !after[table]!.includes(row));
    const added = after[table]!.filter((row) => !before[table]!.includes(row));
    for (const row of gone) lines.push(`${table} − ${row.slice(0, 300)}`);
    for (const row of added) lines.push(`${table} + ${row.slice(0, 300)}`);
  }
  return lines.join("\n") || "no row changed";
}

export interface StoreProblem {
  /** `pending`: loads, but leaves pending structs or deletions; `unloadable`: Yjs throws. */
  kind: "pending" | "unloadable";
  boardId: string;
  doc: string;
  where: string;
  problem: string;
}

function pendingOf(doc: Y.Doc): string | null {
  if (doc.store.pendingStructs)
    return `pending structs (missing ${JSON.stringify([...doc.store.pendingStructs.missing])})`;
  if (doc.store.pendingDs) return "pending delete set";
  return null;
}

/**
 * Loads every stored document as the relay does (its `updates` rows in
 * order, into one fresh Y.Doc), checking after each row that nothing is
 * pending; and every snapshot's two states, each into a fresh Y.Doc.
 */
export function storedDocProblems(db: Database.Database): StoreProblem[] {
  const problems: StoreProblem[] = [];
  const rows = db.prepare("SELECT seq, board_id, doc, data FROM updates ORDER BY board_id, doc, seq").all() as {
    seq: number;
    board_id: string;
    doc: string;
    data: Buffer;
  }[];
  let current: { key: string; doc: Y.Doc; reported: boolean } | null = null;
  for (const row of rows) {
    const key = `${row.board_id}/${row.doc}`;
    if (!current || current.key !== key) {
      current?.doc.destroy();
      current = { key, doc: new Y.Doc(), reported: false };
    }
    if (current.reported) continue;
    try {
      Y.applyUpdate(current.doc, new Uint8Array(row.data));
    } catch (error) {
      problems.push({
        kind: "unloadable",
        boardId: row.board_id,
        doc: row.doc,
        where: `updates seq ${row.seq} (${row.data.toString("hex").slice(0, 400)})`,
        problem: `does not apply: ${String(error)}`,
      });
      current.reported = true;
      continue;
    }
    const pending = pendingOf(current.doc);
    if (pending) {
      problems.push({
        kind: "pending",
        boardId: row.board_id,
        doc: row.doc,
        where: `updates seq ${row.seq} (${row.data.toString("hex").slice(0, 400)})`,
        problem: pending,
      });
      current.reported = true;
    }
  }
  current?.doc.destroy();
  const snapshots = db.prepare("SELECT id, board_id, room, inbox FROM snapshots").all() as {
    id: string;
    board_id: string;
    room: Buffer;
    inbox: Buffer;
  }[];
  for (const s of snapshots) {
    for (const name of ["room", "inbox"] as const) {
      const doc = new Y.Doc();
      try {
        Y.applyUpdate(doc, new Uint8Array(s[name]));
        const pending = pendingOf(doc);
        if (pending)
          problems.push({
            kind: "pending",
            boardId: s.board_id,
            doc: name,
            where: `snapshot ${s.id}`,
            problem: pending,
          });
      } catch (error) {
        problems.push({
          kind: "unloadable",
          boardId: s.board_id,
          doc: name,
          where: `snapshot ${s.id}`,
          problem: `does not apply: ${String(error)}`,
        });
      }
      doc.destroy();
    }
  }
  return problems;
}

export function countStored(db: Database.Database): { boards: number; updates: number; snapshots: number } {
  const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  return {
    boards: n("SELECT COUNT(*) AS n FROM boards"),
    updates: n("SELECT COUNT(*) AS n FROM updates"),
    snapshots: n("SELECT COUNT(*) AS n FROM snapshots"),
  };
}

export interface AfterCheck {
  health: boolean;
  /** The board's live exports (board.json, tally.json, tally.csv, notes.csv) answer 200. */
  exports: boolean;
  facilitatorSync: boolean;
  phoneSubmit: boolean;
  detail: string[];
}

/**
 * After the run: the relay answers, serves the target's live exports, a stock
 * facilitator client syncs and writes, a phone posts a note.
 */
export async function checkRelayWorks(baseUrl: string, board: FuzzBoard): Promise<AfterCheck> {
  const check: AfterCheck = { health: false, exports: true, facilitatorSync: false, phoneSubmit: false, detail: [] };
  check.health = (await healthMs(baseUrl, 5_000)) !== null;
  if (!check.health) {
    check.detail.push("GET /api/health did not answer");
    return check;
  }
  // The run may have locked submissions or closed the day: open them again, as a facilitator would.
  const patch = (body: object) =>
    fetch(`${baseUrl}/api/boards/${board.boardId}/settings`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${board.tokens.facilitator}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).catch((e: unknown) => ({ status: String(e) }));
  let open = await patch({ submissions: "open", phase: "collect" });
  if (open.status === 400) open = await patch({ submissions: "open" }); // a relay without phases
  if (open.status !== 200) check.detail.push(`reopening submissions answered ${open.status}`);
  for (const format of ["board.json", "tally.json", "tally.csv", "notes.csv"]) {
    const res = await fetch(`${baseUrl}/api/boards/${board.boardId}/snapshots/live/${format}`, {
      headers: { Authorization: `Bearer ${board.tokens.facilitator}` },
    }).catch((e: unknown) => ({ status: String(e) }));
    if (res.status !== 200) {
      check.exports = false;
      check.detail.push(`the live ${format} export answered ${res.status}`);
    }
  }

  const writer = connectScreen(baseUrl, board.boardId, board.tokens.facilitator);
  const reader = connectScreen(baseUrl, board.boardId, board.tokens.facilitator);
  try {
    await Promise.race([
      Promise.all([writer.synced(), reader.synced()]),
      sleep(10_000).then(() => Promise.reject(new Error("no sync within 10 s"))),
    ]);
    const stamp = `alive-${Date.now()}`;
    writer.doc.getMap("fuzz-check").set("stamp", stamp);
    await waitFor(
      () => reader.doc.getMap("fuzz-check").get("stamp") === stamp,
      10_000,
      "the second facilitator to see the write",
    );
    check.facilitatorSync = true;
  } catch (error) {
    check.detail.push(`facilitator sync: ${String(error)} (closes ${writer.closes.join(",")})`);
  } finally {
    writer.destroy();
    reader.destroy();
  }

  let phone: PhoneClient | null = null;
  try {
    phone = await Promise.race([
      PhoneClient.connect(baseUrl, board.joinCode),
      sleep(10_000).then(() => Promise.reject(new Error("no welcome within 10 s"))),
    ]);
    const view = phone.welcome?.board;
    if (!view) throw new Error(`no welcome: ${JSON.stringify(phone.messages[0])}`);
    const reply = await Promise.race([
      phone.submit({ text: "Toujours là après le fuzz", prompt: view.prompts[0]?.id ?? "", category: "" }),
      sleep(10_000).then(() => ({ type: "timeout" }) as const),
    ]);
    check.phoneSubmit = reply.type === "ack";
    if (!check.phoneSubmit) check.detail.push(`phone submit: ${JSON.stringify(reply)}`);
  } catch (error) {
    check.detail.push(`phone: ${String(error)}`);
  } finally {
    phone?.close();
  }
  return check;
}

const fmt = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ") || "none";

/** A small table of the run, in Markdown. */
export function formatReport(report: FuzzReport): string {
  const total = ENDPOINTS.reduce((s, e) => s + report.frames[e], 0);
  const seconds = report.durationMs / 1000;
  const rows = [
    "| endpoint | frames | sessions | closes by the relay (code: count) |",
    "|---|---|---|---|",
    ...ENDPOINTS.map((e) => `| ${e} | ${report.frames[e]} | ${report.sessions[e]} | ${fmt(report.closes[e])} |`),
    `| total | ${total} | ${ENDPOINTS.reduce((s, e) => s + report.sessions[e], 0)} | ${(total / Math.max(seconds, 0.001)).toFixed(0)} frames/s over ${seconds.toFixed(1)} s |`,
  ];
  return [
    `fuzz seed ${report.seed} (replay: FUZZ_SEED=${report.seed} or --seed ${report.seed})`,
    ...rows,
    `upgrades refused: ${fmt(report.upgradeRefusals)}`,
    `HTTP statuses: ${fmt(report.httpStatuses)}`,
    `phone replies: ${fmt(report.phoneReplies)}`,
    `client-side errors: ${fmt(report.errors)}`,
    `frames of known bugs held back: ${fmt(report.heldBack)}`,
    `slowest /api/health during the run: ${report.maxHealthMs} ms (fuzzer's own longest stall ${report.fuzzerLagMs} ms); relay down: ${report.relayDown}; victim acks: ${report.victimAcks}`,
    `anomalies: ${report.anomalies.length === 0 ? "none" : "\n  - " + report.anomalies.slice(0, 20).join("\n  - ")}`,
    `fuzzer errors: ${report.fuzzerErrors.length === 0 ? "none" : "\n  - " + report.fuzzerErrors.slice(0, 20).join("\n  - ")}`,
  ].join("\n");
}

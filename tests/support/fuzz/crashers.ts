/**
 * The seven input families that once crashed or broke the relay (all fixed,
 * see docs/RELIABILITY.md), in one place: how to recognise a frame of each,
 * and the hand-built updates of two of them. A family is only sent when its
 * switch is on, so that a run can look past a regression of one bug to find
 * the next; the test and the long run switch them all on.
 */
import * as Y from "yjs";
import * as encoding from "lib0/encoding";
import * as decoding from "lib0/decoding";
import { SyncMessage, SyncStep } from "@atelier/shared/wire/syncProtocol";
import type { Rand } from "./rand.ts";
import type { ID } from "./yjsEncoder.ts";

/**
 * The families, each named after the bug it once triggered; a family is sent only when
 * switched on (`{}` sends none of them). Each bug has a direct regression test in
 * tests/integration/fuzzRegressions.test.ts; the descriptions say what the relay did before.
 */
export interface KnownCrashers {
  /** Request targets whose "authority" `new URL()` rejects (`//[`, `http://[/…`), on HTTP and upgrades: the relay exited. */
  invalidRequestTargets?: boolean;
  /** A facilitator writes a BigInt into `settings.prompts`: the next phone `hello` threw and the relay exited. */
  bigIntInSettings?: boolean;
  /**
   * Updates holding a zero-length struct (GC, deleted content, "" or []): once deleted, it
   * became a zero-length delete range that no Yjs document can load again ("Unexpected case").
   */
  zeroLengthStructs?: boolean;
  /**
   * A map value `{"__proto__": Uint8Array}`: lib0's readAny makes the Uint8Array the object's
   * prototype, and the next encoding of the document (a sync step 2, a compaction) threw
   * outside any try: the relay process exited.
   */
  protoKeys?: boolean;
  /**
   * A socket the relay refuses at attach (unknown board or join code, wrong token: 4404, 4401,
   * 4403, 4529) had no `error` listener and was resumed: a frame the `ws` library rejects
   * (invalid UTF-8 text, over the size limit) was an unhandled 'error' event and the relay exited.
   */
  receiverErrorsOnRefusedSockets?: boolean;
  /**
   * Canvas entries that are not `{key, val: {id: string…}}`: `canvasRecords` destructured every
   * entry (null threw) and the exports sorted records by `id.localeCompare`, so the board.json and
   * tally exports answered 500 (and a caller on a phone's path would have thrown).
   */
  malformedCanvasRecords?: boolean;
  /**
   * An update `inspectUpdate` let through though it leaves pending structs (a causal cycle between
   * two clients), with a zero-length deletion at the end of a clock, so that `Y.applyUpdate` throws
   * after leaving them: the relay's check after `applyUpdate` never ran, the room kept the
   * pending structs, served them in sync step 2 and a compaction stored them.
   */
  pendingBehindException?: boolean;
}

const PROTO = Buffer.from("__proto__");
export const INVALID_UTF8 = Buffer.concat([
  Buffer.from('{"type":"hello","v":1,"participant":"'),
  Buffer.from([0xc3, 0x28]),
  Buffer.from('"}'),
]);

/** Which bug family a board-socket frame belongs to, if one that is switched off. */
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

/** Not a canvas entry the exports can read: null, or a `val` object without a string id. */
function badCanvasEntry(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v !== "object" || !("val" in v)) return false;
  const val = (v as { val: unknown }).val;
  return typeof val === "object" && val !== null && typeof (val as { id?: unknown }).id !== "string";
}

/** What a sync frame's update holds that a bug family needs (see `KnownCrashers`). */
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

/** A new client's "ab" in the text `t`, then a deleted zero-length item after it (see `KnownCrashers`). */
export function zeroLengthUpdate(r: Rand): Uint8Array {
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

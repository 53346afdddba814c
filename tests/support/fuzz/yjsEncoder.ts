/**
 * Yjs's V1 wire format written by hand (lib0 primitives, no Y.Doc), for the
 * updates no Yjs client would produce: clocks with gaps or far ahead,
 * references to nothing or to each other, every content type, lying counts.
 * That is where the relay's `inspectUpdate` has to decide alone, so it is
 * kept apart from the honest edits in yjsEdits.ts.
 */
import * as encoding from "lib0/encoding";
import type { Rand } from "./rand.ts";
import { anyValue, weirdJson, weirdString } from "./strings.ts";

const ROOT_NAMES = ["settings", "notes", "canvas", "canvasMeta", "t", "a", "m", "xml", "__proto__", ""];

export type ID = { client: number; clock: number };

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

export function stateVectorOf(r: Rand, known: Map<number, number>): Uint8Array {
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
export function awarenessPayload(r: Rand): Uint8Array {
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

/**
 * Byte-level damage, blind to what the bytes mean: flips, truncations,
 * splices from other updates, varUints of extreme values, and y-protocols
 * frames whose length prefix lies. Kept separate from the encoders so that
 * the same mutations apply to updates, state vectors, awareness and JSON.
 */
import * as encoding from "lib0/encoding";
import type { Rand } from "./rand.ts";

export function varUintBytes(n: number): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, n);
  return encoding.toUint8Array(e);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
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
export function frame(prefix: number[], payload: Uint8Array, r: Rand | null = null): Uint8Array {
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

/**
 * Hostile text and values, shared by every endpoint: the same pieces (control
 * characters, lone surrogates, `__proto__`, markup) reach note texts, Yjs
 * content, JSON fields, URLs and headers, so that one list of suspects is
 * tried everywhere.
 */
import type { Rand } from "./rand.ts";

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

export function weirdJson(r: Rand, depth = 0): unknown {
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
export function anyValue(r: Rand, depth: number, allowBigInt: boolean): unknown {
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

/** encodeURIComponent, with lone surrogates replaced (it throws on them). */
export function uri(text: string): string {
  return encodeURIComponent(
    text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"),
  );
}

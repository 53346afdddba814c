import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { inspectUpdate } from "./updateInspection.ts";

function docWith(text: string): Y.Doc {
  const doc = new Y.Doc();
  doc.getText("t").insert(0, text);
  return doc;
}

describe("inspectUpdate", () => {
  it("sees that a peer's full state adds nothing to a doc that already holds it", () => {
    const a = docWith("hello");
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    a.getText("t").delete(0, 2);
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    // b's reply to a's step 1 carries b's whole delete set, already known to a.
    const reply = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
    expect(inspectUpdate(a, reply)).toEqual({ changesDoc: false, wouldPend: false, invalid: false });
  });

  it("sees new insertions and new deletions as changes", () => {
    const a = docWith("hello");
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    b.getText("t").delete(0, 1);
    expect(inspectUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a))).changesDoc).toBe(true);
    b.getText("t").insert(0, "x");
    expect(inspectUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a))).changesDoc).toBe(true);
  });

  it("flags an update whose beginning is missing", () => {
    const source = docWith("a");
    const base = Y.encodeStateVector(source);
    source.getText("t").insert(1, "b");
    const gapOnly = Y.encodeStateAsUpdate(source, base);
    expect(inspectUpdate(new Y.Doc(), gapOnly).wouldPend).toBe(true);
  });

  it("throws on bytes that are not an update", () => {
    expect(() => inspectUpdate(new Y.Doc(), new Uint8Array([200, 1, 2, 3, 4, 5]))).toThrow();
  });
});

describe("inspectUpdate: references to unknown content", () => {
  it("flags an item inserted next to content the document does not have", () => {
    const source = new Y.Doc();
    source.clientID = 1;
    source.getText("t").insert(0, "ab");
    const first = Y.encodeStateAsUpdate(source);
    const other = new Y.Doc();
    other.clientID = 2;
    Y.applyUpdate(other, first);
    other.getText("t").insert(1, "X"); // its neighbours belong to client 1
    const onlyX = Y.encodeStateAsUpdate(other, Y.encodeStateVector(source));
    expect(inspectUpdate(new Y.Doc(), onlyX).wouldPend).toBe(true);
    const target = new Y.Doc();
    Y.applyUpdate(target, first);
    expect(inspectUpdate(target, onlyX)).toEqual({ changesDoc: true, wouldPend: false, invalid: false });
  });

  it("flags a deletion of content the document does not have", () => {
    const source = new Y.Doc();
    source.getText("t").insert(0, "abc");
    const before = Y.encodeStateVector(source);
    source.getText("t").delete(0, 1);
    const deletionOnly = Y.encodeStateAsUpdate(source, before);
    expect(inspectUpdate(new Y.Doc(), deletionOnly).wouldPend).toBe(true);
  });

  it("accepts an update whose items refer to each other inside it", () => {
    const source = new Y.Doc();
    source.getArray("a").push([1, 2, 3]);
    source.getMap("m").set("k", new Y.Map());
    expect(inspectUpdate(new Y.Doc(), Y.encodeStateAsUpdate(source))).toEqual({
      changesDoc: true,
      wouldPend: false,
      invalid: false,
    });
  });
});

describe("inspectUpdate: content that must never be stored", () => {
  it("refuses a value that would not survive re-encoding or JSON", () => {
    const doc = new Y.Doc();
    doc.getMap("m").set("n", BigInt(7) as unknown as number);
    expect(inspectUpdate(new Y.Doc(), Y.encodeStateAsUpdate(doc)).invalid).toBe(true);
    const plain = new Y.Doc();
    plain.getMap("m").set("ok", { a: [1, "b", null, true], u: new Uint8Array([1]) });
    expect(inspectUpdate(new Y.Doc(), Y.encodeStateAsUpdate(plain)).invalid).toBe(false);
  });
});

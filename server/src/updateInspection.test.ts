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
    expect(inspectUpdate(a, reply)).toEqual({ changesDoc: false, wouldPend: false });
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

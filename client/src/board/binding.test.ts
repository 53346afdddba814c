import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  createTLStore,
  defaultBindingUtils,
  defaultShapeUtils,
  getIndexAbove,
  PageRecordType,
  type IndexKey,
  type TLRecord,
  type TLShapeId,
  type TLStore,
} from "tldraw";
import { noteShapeId, NOTE_SIZE } from "@atelier/shared/document/canvas";
import { canvasRecords, canvasStore } from "@atelier/shared/document/canvas";
import { Origin } from "@atelier/shared/document/origins";
import { seededRandom } from "../../../tests/support/random.ts";
import { bindStoreToYjs, NewerBoardSchemaError } from "./binding.ts";
import { AtelierNoteShapeUtil } from "./noteShape.tsx";

const PAGE = PageRecordType.createId("page");

function newStore(): TLStore {
  return createTLStore({ shapeUtils: [...defaultShapeUtils, AtelierNoteShapeUtil], bindingUtils: defaultBindingUtils });
}

function documentRecords(store: TLStore): TLRecord[] {
  return Object.values(store.serialize("document")).sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Peers linked through a hub that holds their outgoing updates and delivers
 * them in random order; a disconnected peer neither sends nor receives until
 * it reconnects and exchanges full state (what y-websocket does).
 */
class Network {
  readonly peers: { doc: Y.Doc; store: TLStore; online: boolean; inbox: Uint8Array[] }[] = [];

  constructor(
    count: number,
    private readonly random: () => number,
  ) {
    for (let i = 0; i < count; i++) {
      const doc = new Y.Doc();
      const store = newStore();
      const peer = { doc, store, online: true, inbox: [] as Uint8Array[] };
      doc.on("update", (update: Uint8Array, origin: unknown) => {
        if (origin === "network" || !peer.online) return;
        for (const other of this.peers) if (other !== peer) other.inbox.push(update);
      });
      this.peers.push(peer);
    }
  }

  bindAll(): void {
    for (const p of this.peers) bindStoreToYjs(p.store, p.doc, { readOnly: false });
  }

  deliverSome(): void {
    for (const p of this.peers) {
      if (!p.online) continue;
      while (p.inbox.length > 0 && this.random() < 0.7) {
        const [update] = p.inbox.splice(Math.floor(this.random() * p.inbox.length), 1);
        Y.applyUpdate(p.doc, update!, "network");
      }
    }
  }

  setOnline(index: number, online: boolean): void {
    const peer = this.peers[index]!;
    if (peer.online === online) return;
    peer.online = online;
    peer.inbox = [];
    if (online) this.resync(peer);
  }

  private resync(peer: Network["peers"][number]): void {
    for (const other of this.peers) {
      if (other === peer || !other.online) continue;
      Y.applyUpdate(peer.doc, Y.encodeStateAsUpdate(other.doc, Y.encodeStateVector(peer.doc)), "network");
      Y.applyUpdate(other.doc, Y.encodeStateAsUpdate(peer.doc, Y.encodeStateVector(other.doc)), "network");
    }
  }

  settle(): void {
    for (let i = 0; i < this.peers.length; i++) this.setOnline(i, true);
    for (const p of this.peers) while (p.inbox.length > 0) Y.applyUpdate(p.doc, p.inbox.shift()!, "network");
    for (const p of this.peers) this.resync(p);
  }
}

function frame(id: TLShapeId, index: IndexKey, name: string, x: number): TLRecord {
  return {
    id,
    typeName: "shape",
    type: "frame",
    parentId: PAGE,
    index,
    x,
    y: 600,
    rotation: 0,
    isLocked: false,
    opacity: 1,
    meta: {},
    props: { w: 800, h: 600, name, color: "black" },
  } as unknown as TLRecord;
}

function note(noteId: string, index: IndexKey, x: number, y: number): TLRecord {
  return {
    id: noteShapeId(noteId) as TLShapeId,
    typeName: "shape",
    type: "atelier-note",
    parentId: PAGE,
    index,
    x,
    y,
    rotation: 0,
    isLocked: false,
    opacity: 1,
    meta: {},
    props: { noteId, w: NOTE_SIZE, h: NOTE_SIZE },
  } as unknown as TLRecord;
}

function runFuzz(seed: number, steps: number): Network {
  const random = seededRandom(seed);
  const net = new Network(3, random);
  net.bindAll();
  net.peers[0]!.store.put([PageRecordType.create({ id: PAGE, name: "Page", index: "a1" as IndexKey })]);
  net.settle();
  let index = "a1" as IndexKey;
  let counter = 0;
  const pick = <T>(items: T[]): T | undefined => items[Math.floor(random() * items.length)];
  for (let step = 0; step < steps; step++) {
    const peer = pick(net.peers)!;
    const shapes = peer.store.query.records("shape").get();
    const roll = random();
    index = getIndexAbove(index);
    if (roll < 0.25) {
      // A note arrives; any facilitator may create its post-it, with the same id everywhere.
      const id = `n${Math.floor(random() * steps)}`;
      if (!peer.store.has(noteShapeId(id) as TLShapeId))
        peer.store.put([note(id, index, random() * 1000, random() * 1000)]);
    } else if (roll < 0.35) {
      peer.store.put([frame(`shape:theme${counter++}` as TLShapeId, index, `Thème ${counter}`, random() * 2000)]);
    } else if (roll < 0.6 && shapes.length > 0) {
      const s = pick(shapes)!;
      peer.store.put([{ ...s, x: random() * 2000, y: random() * 2000 }]);
    } else if (roll < 0.7 && shapes.length > 0) {
      const s = pick(shapes)!;
      if (s.type === "frame")
        peer.store.put([{ ...s, props: { ...s.props, w: 200 + random() * 900, name: `Renommé ${step}` } } as TLRecord]);
    } else if (roll < 0.78 && shapes.length > 0) {
      peer.store.remove([pick(shapes)!.id]);
    } else if (roll < 0.86) {
      net.setOnline(Math.floor(random() * 3), random() < 0.5);
    }
    net.deliverSome();
  }
  net.settle();
  return net;
}

describe("Yjs ↔ tldraw binding", () => {
  it("loads what the document holds into a new screen's store", () => {
    const net = new Network(1, () => 0.5);
    net.bindAll();
    const [peer] = net.peers;
    peer!.store.put([PageRecordType.create({ id: PAGE, name: "Page", index: "a1" as IndexKey })]);
    peer!.store.put([note("x1", "a2" as IndexKey, 10, 20)]);
    const late = newStore();
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(peer!.doc));
    bindStoreToYjs(late, doc, { readOnly: true });
    const shapesAndPages = (store: TLStore) => documentRecords(store).filter((r) => r.typeName !== "document");
    expect(shapesAndPages(late)).toEqual(shapesAndPages(peer!.store));
  });

  it("never writes from a read-only screen", () => {
    const source = new Y.Doc();
    const store = newStore();
    bindStoreToYjs(store, source, { readOnly: false });
    store.put([PageRecordType.create({ id: PAGE, name: "Page", index: "a1" as IndexKey })]);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(source));
    const writes: unknown[] = [];
    doc.on("update", (_u: Uint8Array, origin: unknown) => origin !== "remote" && writes.push(origin));
    const projector = newStore();
    bindStoreToYjs(projector, doc, { readOnly: true });
    projector.put([note("local", "a5" as IndexKey, 0, 0)]);
    store.put([note("remote-1", "a3" as IndexKey, 0, 0)]);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(source, Y.encodeStateVector(doc)), "remote");
    expect(writes).toEqual([]);
    expect(projector.has(noteShapeId("remote-1") as TLShapeId)).toBe(true);
  });

  it("skips a record that fails tldraw's validation instead of breaking the board", () => {
    const doc = new Y.Doc();
    const store = newStore();
    const binding = bindStoreToYjs(store, doc, { readOnly: true });
    doc.getArray(ROOM_CANVAS).push([{ key: "shape:bad", val: { id: "shape:bad", typeName: "shape", type: "geo" } }]);
    doc
      .getArray(ROOM_CANVAS)
      .push([{ key: PAGE, val: PageRecordType.create({ id: PAGE, name: "P", index: "a1" as IndexKey }) }]);
    expect(binding.rejected).toBe(1);
    expect(store.has(PAGE)).toBe(true);
  });

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`converges: three peers, random edits, delivery order and disconnects (seed ${seed})`, () => {
      const net = runFuzz(seed, 300);
      const [a, b, c] = net.peers;
      expect(documentRecords(b!.store)).toEqual(documentRecords(a!.store));
      expect(documentRecords(c!.store)).toEqual(documentRecords(a!.store));
      // And the stores say what the document says.
      expect(new Set(canvasRecords(a!.doc).keys())).toEqual(new Set(documentRecords(a!.store).map((r) => r.id)));
      expect(documentRecords(a!.store).length).toBeGreaterThan(5);
    });
  }
});

const ROOM_CANVAS = "canvas";

describe("a board saved by a newer version", () => {
  it("is refused with a clear error instead of being loaded or rewritten", () => {
    const source = new Y.Doc();
    const store = newStore();
    bindStoreToYjs(store, source, { readOnly: false });
    store.put([PageRecordType.create({ id: PAGE, name: "Page", index: "a1" as IndexKey })]);
    const schema = source.getMap("canvasMeta").get("schema") as { sequences: Record<string, number> };
    // Pretend a later tldraw wrote these records.
    source.getMap("canvasMeta").set("schema", {
      ...schema,
      sequences: Object.fromEntries(Object.entries(schema.sequences).map(([k, v]) => [k, v + 100])),
    });
    const before = Y.encodeStateAsUpdate(source);
    expect(() => bindStoreToYjs(newStore(), source, { readOnly: false })).toThrow(NewerBoardSchemaError);
    expect(Y.encodeStateAsUpdate(source)).toEqual(before);
  });
});

describe("loading a board's records", () => {
  it("writes back only what a migration changed, labelled as a migration, and nothing when none ran", () => {
    const source = new Y.Doc();
    const store = newStore();
    bindStoreToYjs(store, source, { readOnly: false });
    store.put([PageRecordType.create({ id: PAGE, name: "Page", index: "a1" as IndexKey })]);

    // Current schema: a second screen loads the board and leaves the document as it is.
    const origins: unknown[] = [];
    source.on("update", (_update: Uint8Array, origin: unknown) => origins.push(origin));
    bindStoreToYjs(newStore(), source, { readOnly: false });
    expect(origins).toEqual([]);

    // A page stored before tldraw gave records their `meta`: loading it adds the field, once.
    const meta = source.getMap("canvasMeta");
    const schema = meta.get("schema") as { sequences: Record<string, number> };
    source.transact(() => {
      meta.set("schema", { ...schema, sequences: { ...schema.sequences, "com.tldraw.page": 0 } });
      canvasStore(source).set(PAGE, { id: PAGE, typeName: "page", name: "Page", index: "a1" } as never);
    });
    origins.length = 0;
    const migrated = newStore();
    bindStoreToYjs(migrated, source, { readOnly: false });
    expect(origins).toEqual([Origin.migration, Origin.migration]);
    expect(canvasRecords(source).get(PAGE)).toEqual(migrated.get(PAGE));
    expect((canvasRecords(source).get(PAGE) as unknown as { meta?: unknown }).meta).toEqual({});
  });
});

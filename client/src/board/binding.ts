import * as Y from "yjs";
import type { TLRecord, TLStore } from "tldraw";
import { canvasRecords, canvasStore, type CanvasRecord } from "@atelier/shared/document/canvas";
import { ROOM } from "@atelier/shared/document/docLayout";
import { Origin } from "@atelier/shared/document/origins";

/**
 * Binds a tldraw store to the `canvas` of a board's `room` document, as a
 * plain module (no React) so tests can drive it in Node.
 *
 * - Document-scope user changes go to Yjs in one transaction with origin
 *   `board` (tldraw's own undo/redo therefore stays local to this screen).
 * - Remote changes come back through `mergeRemoteChanges`, so they are not
 *   echoed and not undoable here.
 * - Read-only screens never write: not even the duplicate clean-up that the
 *   key-value store does on construction (the relay would refuse it).
 */
export class NewerBoardSchemaError extends Error {
  constructor(reason: string) {
    super(`This board was saved by a newer version of Atelier (${reason}). Reload the page.`);
  }
}

export interface Binding {
  dispose(): void;
  /** Records the Yjs side refused to put in the store (invalid records). */
  readonly rejected: number;
}

export function bindStoreToYjs(store: TLStore, doc: Y.Doc, options: { readOnly: boolean }): Binding {
  const meta = doc.getMap<unknown>(ROOM.canvasMeta);
  const array = doc.getArray<{ key: string; val: CanvasRecord }>(ROOM.canvas);
  const kv = options.readOnly ? null : canvasStore(doc);
  let rejected = 0;

  // Load and migrate what the document holds.
  let known = canvasRecords(doc);
  if (known.size > 0) {
    const storedSchema = (meta.get("schema") ?? store.schema.serialize()) as never;
    const snapshot = { store: Object.fromEntries(known) as never, schema: storedSchema };
    const migrated = store.schema.migrateStoreSnapshot(snapshot);
    if (migrated.type === "error") throw new NewerBoardSchemaError(String(migrated.reason));
    const records = Object.values(migrated.value) as TLRecord[];
    store.mergeRemoteChanges(() => putSafely(records));
    // With no migration to run, tldraw hands back the records it was given: nothing to write
    // back, and comparing 1,000 records as JSON cost a board's first paint about 10 ms.
    if (kv && migrated.value !== snapshot.store) {
      // Write back only what the migration changed, labelled as such.
      doc.transact(() => {
        for (const r of records) if (JSON.stringify(r) !== JSON.stringify(known.get(r.id))) kv.set(r.id, r as never);
      }, Origin.migration);
    }
  }
  if (kv && JSON.stringify(meta.get("schema")) !== JSON.stringify(store.schema.serialize())) {
    doc.transact(() => meta.set("schema", store.schema.serialize()), Origin.migration);
  }

  function putSafely(records: TLRecord[]): void {
    if (records.length === 0) return;
    try {
      store.put(records);
    } catch {
      // One bad record (e.g. from a crafted update) must not block the others.
      for (const record of records) {
        try {
          store.put([record]);
        } catch {
          rejected++;
        }
      }
    }
  }

  const stopListening = kv
    ? store.listen(
        ({ changes }) => {
          doc.transact(() => {
            for (const record of Object.values(changes.added)) kv.set(record.id, record as never);
            for (const [, to] of Object.values(changes.updated)) kv.set(to.id, to as never);
            for (const record of Object.values(changes.removed)) kv.delete(record.id);
          }, Origin.board);
        },
        { source: "user", scope: "document" },
      )
    : () => undefined;

  // Remote → store. Values are compared by identity: Yjs hands back the same object until it changes.
  const onArrayChange = (_event: Y.YArrayEvent<{ key: string; val: CanvasRecord }>, transaction: Y.Transaction) => {
    if (transaction.origin === Origin.board || transaction.origin === Origin.migration) {
      known = canvasRecords(doc);
      return;
    }
    const next = canvasRecords(doc);
    const puts: TLRecord[] = [];
    const removes: TLRecord["id"][] = [];
    for (const [id, value] of next) if (known.get(id) !== value) puts.push(value as unknown as TLRecord);
    for (const id of known.keys()) if (!next.has(id)) removes.push(id as TLRecord["id"]);
    known = next;
    if (puts.length === 0 && removes.length === 0) return;
    store.mergeRemoteChanges(() => {
      const present = removes.filter((id) => store.has(id));
      if (present.length > 0) store.remove(present);
      putSafely(puts);
    });
  };
  array.observe(onArrayChange);

  return {
    dispose() {
      stopListening();
      array.unobserve(onArrayChange);
    },
    get rejected() {
      return rejected;
    },
  };
}

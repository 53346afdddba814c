import { getIndexAbove, type Editor, type IndexKey, type TLParentId, type TLShape, type TLShapeId } from "tldraw";
import {
  newNoteSlot,
  NOTE_SHAPE_TYPE,
  noteShapeId,
  NOTE_SIZE,
  type CanvasRecord,
} from "@atelier/shared/document/canvas";
import { zoneFor } from "@atelier/shared/document/templates";
import type { NoteRecord } from "@atelier/shared/document/docLayout";

/**
 * Gives every visible note exactly one post-it and removes the post-its of
 * notes that are no longer visible. The shape id comes from the note id, so
 * two facilitators converge on one post-it. New post-its land in the inbox
 * area in arrival order.
 *
 * Facilitator screens write the post-its to the board. A projector (read
 * only) runs the same placement on its own store, never synced: a room
 * whose projector opens before any facilitator still sees every note, where
 * a facilitator would put it. When a facilitator's post-it arrives with the
 * same id, it replaces the local one.
 */
export function reconcileNoteShapes(editor: Editor, notes: NoteRecord[]): void {
  const visible = new Set(notes.map((n) => n.id));
  const existing = editor.store.query
    .records("shape")
    .get()
    .filter((s) => s.type === NOTE_SHAPE_TYPE);
  const stale = existing.filter((s) => !visible.has((s.props as { noteId: string }).noteId)).map((s) => s.id);
  const missing = notes
    .map((note, index) => ({ note, index }))
    .filter(({ note }) => !editor.store.has(noteShapeId(note.id) as TLShapeId));
  if (stale.length === 0 && missing.length === 0) return;
  const frames = editor.store.query
    .records("shape")
    .get()
    .filter((s) => s.type === "frame") as unknown as CanvasRecord[];
  // Post-its already in each zone, so new ones take the next free slot.
  const filled = new Map<string, number>();
  for (const s of existing) filled.set(s.parentId, (filled.get(s.parentId) ?? 0) + 1);
  const place = (note: NoteRecord, index: number) => {
    const zone = zoneFor(frames, note);
    if (!zone) return { ...newNoteSlot(index) };
    const slot = filled.get(zone.id) ?? 0;
    filled.set(zone.id, slot + 1);
    const columns = Math.max(1, Math.floor((Number(zone.props?.w ?? 0) - 20) / (NOTE_SIZE + 20)));
    return {
      parentId: zone.id as TLShapeId,
      x: 20 + (slot % columns) * (NOTE_SIZE + 20),
      y: 40 + Math.floor(slot / columns) * (NOTE_SIZE + 20),
    };
  };
  if (editor.getIsReadonly()) {
    const records = localRecords(
      editor,
      missing.map(({ note, index }) => ({ noteId: note.id, ...place(note, index) })),
    );
    editor.store.mergeRemoteChanges(() => {
      if (stale.length > 0) editor.store.remove(stale);
      if (records.length > 0) editor.store.put(records);
    });
    return;
  }
  editor.run(
    () => {
      if (stale.length > 0) editor.deleteShapes(stale);
      if (missing.length > 0) {
        editor.createShapes(
          missing.map(({ note, index }) => ({
            id: noteShapeId(note.id) as TLShapeId,
            type: NOTE_SHAPE_TYPE,
            ...place(note, index),
            props: { noteId: note.id, w: NOTE_SIZE, h: NOTE_SIZE },
          })),
        );
      }
    },
    // Arrivals are not the facilitator's actions: undo must not remove them.
    { history: "ignore", ignoreShapeLock: true },
  );
}

/** Whole shape records, as `createShapes` would make them: a read-only editor refuses `createShapes`. */
function localRecords(
  editor: Editor,
  placed: { noteId: string; parentId?: TLShapeId; x: number; y: number }[],
): TLShape[] {
  const above = new Map<TLParentId, IndexKey | null>();
  return placed.map(({ noteId, parentId: frame, x, y }) => {
    const parentId: TLParentId = frame ?? editor.getCurrentPageId();
    if (!above.has(parentId)) {
      const last = editor.getSortedChildIdsForParent(parentId).at(-1);
      above.set(parentId, last ? (editor.getShape(last)?.index ?? null) : null);
    }
    const index = getIndexAbove(above.get(parentId) ?? null);
    above.set(parentId, index);
    return editor.store.schema.types.shape.create({
      id: noteShapeId(noteId) as TLShapeId,
      type: NOTE_SHAPE_TYPE,
      parentId,
      index,
      x,
      y,
      props: { noteId, w: NOTE_SIZE, h: NOTE_SIZE },
    }) as TLShape;
  });
}

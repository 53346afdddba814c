import type { Editor, TLShapeId } from "tldraw";
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
 * notes that are no longer visible. Run by facilitator screens; the shape
 * id comes from the note id, so two facilitators converge on one post-it.
 * New post-its land in the inbox area in arrival order.
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

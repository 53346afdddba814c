import type { Editor, TLShapeId } from "tldraw";
import { inboxSlot, NOTE_SHAPE_TYPE, noteShapeId, NOTE_SIZE } from "@atelier/shared/canvas";
import type { NoteRecord } from "@atelier/shared/docLayout";

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
  editor.run(
    () => {
      if (stale.length > 0) editor.deleteShapes(stale);
      if (missing.length > 0) {
        editor.createShapes(
          missing.map(({ note, index }) => ({
            id: noteShapeId(note.id) as TLShapeId,
            type: NOTE_SHAPE_TYPE,
            ...inboxSlot(index),
            props: { noteId: note.id, w: NOTE_SIZE, h: NOTE_SIZE },
          })),
        );
      }
    },
    // Arrivals are not the facilitator's actions: undo must not remove them.
    { history: "ignore", ignoreShapeLock: true },
  );
}

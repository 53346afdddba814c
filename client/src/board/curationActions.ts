import { createShapeId, type Editor, type TLShapeId } from "tldraw";
import { noteShapeId, NOTE_SIZE, readThemes, themeOfNotes, type CanvasRecord } from "@atelier/shared/document/canvas";

/**
 * What accepting a suggestion does to the canvas, each as one undoable step
 * (tldraw's history): nothing reaches the canvas before the facilitator
 * accepts, and an accepted theme is an ordinary frame from then on.
 */
const GAP = 20;
const PADDING = 40;
const TITLE_SPACE = 60;

function records(editor: Editor): Map<string, CanvasRecord> {
  return new Map(editor.store.allRecords().map((r) => [r.id, r as unknown as CanvasRecord]));
}

function grid(count: number): { columns: number; rows: number } {
  const columns = Math.max(1, Math.min(4, Math.ceil(Math.sqrt(count))));
  return { columns, rows: Math.max(1, Math.ceil(count / columns)) };
}

/** Where the `i`-th post-it of a frame goes, in the frame's own coordinates. */
function slot(i: number, columns: number): { x: number; y: number } {
  return {
    x: PADDING + (i % columns) * (NOTE_SIZE + GAP),
    y: TITLE_SPACE + Math.floor(i / columns) * (NOTE_SIZE + GAP),
  };
}

/** A new theme frame titled `title`, right of the others, with these notes laid out inside it. */
export function acceptSuggestedTheme(editor: Editor, title: string, noteIds: string[]): TLShapeId {
  const themes = readThemes(records(editor));
  const x = themes.reduce((right, th) => Math.max(right, th.x + th.w + 60), 0);
  const { columns, rows } = grid(noteIds.length);
  const id = createShapeId();
  editor.markHistoryStoppingPoint("accept suggested theme");
  editor.run(() => {
    editor.createShape({
      id,
      type: "frame",
      x,
      y: 0,
      props: {
        w: PADDING * 2 + columns * (NOTE_SIZE + GAP) - GAP,
        h: TITLE_SPACE + PADDING + rows * (NOTE_SIZE + GAP) - GAP,
        name: title,
      },
    });
    // Behind its notes, as a frame the facilitator draws would be.
    editor.sendToBack([id]);
    moveInto(editor, noteIds, id, columns, 0);
  });
  return id;
}

/** Post-its of `noteIds` into an existing frame, after the notes it already holds; the frame grows to fit. */
export function placeIntoTheme(editor: Editor, noteIds: string[], frameId: string): void {
  const recs = records(editor);
  const frame = readThemes(recs).find((th) => th.id === frameId);
  if (!frame) return;
  const inside = [...themeOfNotes(recs, notesOnCanvas(recs)).values()].filter((id) => id === frameId).length;
  const columns = Math.max(1, Math.floor((frame.w - PADDING * 2 + GAP) / (NOTE_SIZE + GAP)));
  const rows = Math.ceil((inside + noteIds.length) / columns);
  editor.markHistoryStoppingPoint("place into theme");
  editor.run(() => {
    moveInto(editor, noteIds, frameId as TLShapeId, columns, inside);
    const height = TITLE_SPACE + PADDING + rows * (NOTE_SIZE + GAP) - GAP;
    if (height > frame.h)
      editor.updateShape({ id: frameId as TLShapeId, type: "frame", props: { h: height } } as never);
  });
}

/** Near-duplicates stacked on the first one, slightly offset, so the room sees them as one idea. */
export function stackNotes(editor: Editor, noteIds: string[]): void {
  const first = editor.getShape(noteShapeId(noteIds[0]!) as TLShapeId);
  if (!first) return;
  editor.markHistoryStoppingPoint("stack duplicates");
  editor.run(() =>
    noteIds.slice(1).forEach((noteId, i) => {
      const id = noteShapeId(noteId) as TLShapeId;
      const shape = editor.getShape(id);
      if (!shape) return;
      // Beside the first one, in the same parent (a theme or the page), so coordinates agree.
      if (shape.parentId !== first.parentId) editor.reparentShapes([id], first.parentId);
      editor.updateShape({ id, type: shape.type, x: first.x + 12 * (i + 1), y: first.y + 12 * (i + 1) });
    }),
  );
}

function notesOnCanvas(recs: Map<string, CanvasRecord>): string[] {
  return [...recs.values()]
    .filter((r) => r.typeName === "shape" && typeof r.props?.noteId === "string")
    .map((r) => r.props!.noteId as string);
}

/** Post-its become the frame's children (drawn over it, moved with it), laid out in its grid. */
function moveInto(editor: Editor, noteIds: string[], frameId: TLShapeId, columns: number, from: number): void {
  const present = noteIds.map((n) => noteShapeId(n) as TLShapeId).filter((id) => editor.getShape(id));
  editor.reparentShapes(present, frameId);
  present.forEach((id, i) => {
    const shape = editor.getShape(id)!;
    editor.updateShape({ id, type: shape.type, ...slot(from + i, columns) });
  });
}

import type * as Y from "yjs";
import { YKeyValue } from "y-utility/y-keyvalue";
import { ROOM } from "./docLayout.ts";

/**
 * The canvas of a board: tldraw records (plain JSON) in a key-value store
 * over a Y.Array of the `room` document — the layout of tldraw's Yjs
 * example. A Y.Map would keep a tombstone per overwrite; a drag overwrites
 * a record dozens of times a second.
 *
 * Only the fields this module reads are typed: it must work on the server,
 * with no tldraw, for the tally and the exports.
 */
export interface CanvasRecord {
  id: string;
  typeName: string;
  type?: string;
  parentId?: string;
  x?: number;
  y?: number;
  props?: Record<string, unknown>;
  meta?: Record<string, unknown>;
}

/** The tldraw shape type of a phone note's post-it. */
export const NOTE_SHAPE_TYPE = "atelier-note";
/** Post-it size on the canvas. */
export const NOTE_SIZE = 200;

/** One post-it per note, same id on every screen: two facilitators never duplicate it. */
export function noteShapeId(noteId: string): string {
  return `shape:note_${noteId}`;
}

export function canvasStore(doc: Y.Doc): YKeyValue<CanvasRecord> {
  return new YKeyValue<CanvasRecord>(doc.getArray<{ key: string; val: CanvasRecord }>(ROOM.canvas));
}

/** The records, skipping any entry that is not a `{key, val: {id, typeName}}` (a facilitator can write junk). */
export function canvasRecords(doc: Y.Doc): Map<string, CanvasRecord> {
  const out = new Map<string, CanvasRecord>();
  for (const entry of doc.getArray<unknown>(ROOM.canvas).toArray()) {
    if (!entry || typeof entry !== "object") continue;
    const { key, val } = entry as { key?: unknown; val?: unknown };
    if (typeof key !== "string" || !val || typeof val !== "object") continue;
    const record = val as CanvasRecord;
    if (typeof record.id !== "string" || typeof record.typeName !== "string" || record.id !== key) continue;
    out.set(key, record);
  }
  return out;
}

/** The "Nouvelles notes" area of the canvas, where new post-its land: columns left of the origin, in arrival order. */
export const NEW_NOTES_AREA = { x: -1500, y: 0, columns: 6, gap: 20 } as const;

export function newNoteSlot(index: number): { x: number; y: number } {
  const step = NOTE_SIZE + NEW_NOTES_AREA.gap;
  return {
    x: NEW_NOTES_AREA.x + (index % NEW_NOTES_AREA.columns) * step,
    y: NEW_NOTES_AREA.y + Math.floor(index / NEW_NOTES_AREA.columns) * step,
  };
}

export interface Theme {
  id: string;
  title: string;
  /** Page-space bounds. */
  x: number;
  y: number;
  w: number;
  h: number;
}

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

/** Page position of a shape: its own offset plus its parents' (rotation is ignored). */
function pagePosition(records: Map<string, CanvasRecord>, record: CanvasRecord): { x: number; y: number } {
  let x = num(record.x);
  let y = num(record.y);
  let parent = record.parentId ? records.get(record.parentId) : undefined;
  for (let depth = 0; parent && parent.typeName === "shape" && depth < 32; depth++) {
    x += num(parent.x);
    y += num(parent.y);
    parent = parent.parentId ? records.get(parent.parentId) : undefined;
  }
  return { x, y };
}

/** Themes are tldraw frames; their title is the frame's name. */
export function readThemes(records: Map<string, CanvasRecord>): Theme[] {
  const themes: Theme[] = [];
  for (const r of records.values()) {
    if (r.typeName !== "shape" || r.type !== "frame") continue;
    const { x, y } = pagePosition(records, r);
    themes.push({
      id: r.id,
      title: typeof r.props?.name === "string" ? r.props.name : "",
      x,
      y,
      w: num(r.props?.w),
      h: num(r.props?.h),
    });
  }
  return themes.sort((a, b) => a.y - b.y || a.x - b.x || a.id.localeCompare(b.id));
}

/**
 * The theme of each note: the smallest frame whose area holds the centre of
 * the note's post-it (whether tldraw made the frame its parent or not).
 * Notes with no post-it yet, or outside every frame, map to null.
 */
export function themeOfNotes(
  records: Map<string, CanvasRecord>,
  noteIds: Iterable<string>,
): Map<string, string | null> {
  const themes = readThemes(records);
  const out = new Map<string, string | null>();
  for (const noteId of noteIds) {
    const shape = records.get(noteShapeId(noteId));
    if (!shape) {
      out.set(noteId, null);
      continue;
    }
    const { x, y } = pagePosition(records, shape);
    const cx = x + num(shape.props?.w ?? NOTE_SIZE) / 2;
    const cy = y + num(shape.props?.h ?? NOTE_SIZE) / 2;
    let best: Theme | null = null;
    for (const t of themes) {
      if (cx >= t.x && cx <= t.x + t.w && cy >= t.y && cy <= t.y + t.h && (!best || t.w * t.h < best.w * best.h))
        best = t;
    }
    out.set(noteId, best?.id ?? null);
  }
  return out;
}

import type * as Y from "yjs";
import { z } from "zod";
import { LIMITS } from "../wire/limits.ts";
import { cleanLabel, cleanText } from "../wire/text.ts";
import {
  readNotes,
  readSettings,
  writeSettings,
  notesMap,
  DOC_LAYOUT_VERSION,
  type NoteRecord,
} from "../document/docLayout.ts";
import { canvasRecords, type CanvasRecord } from "../document/canvas.ts";
import { ROOM } from "../document/docLayout.ts";

/**
 * The portable form of a board: `{type, version, …}` so that a later Atelier
 * can recognise and upgrade it (`restoreBoardJson`). Holds what the room
 * saw — visible notes and the canvas — never hidden or pending notes.
 */
export const BOARD_JSON_TYPE = "atelier-board";
export const BOARD_JSON_VERSION = 1;

export interface BoardJsonV1 {
  type: typeof BOARD_JSON_TYPE;
  version: 1;
  exportedAt: string;
  board: {
    title: string;
    date: string;
    prompts: { id: string; label: string }[];
    categories: { id: string; label: string }[];
  };
  notes: Omit<NoteRecord, "status">[];
  canvas: { schema: unknown; records: CanvasRecord[] };
}

export function boardToJson(room: Y.Doc, exportedAt = new Date()): BoardJsonV1 {
  const { title, date, prompts, categories } = readSettings(room);
  const records = [...canvasRecords(room).values()].sort((a, b) => a.id.localeCompare(b.id));
  return {
    type: BOARD_JSON_TYPE,
    version: BOARD_JSON_VERSION,
    exportedAt: exportedAt.toISOString(),
    board: { title, date, prompts, categories },
    notes: readNotes(room)
      .filter((n) => n.status === "visible")
      .map(({ status: _status, ...note }) => note),
    canvas: { schema: room.getMap(ROOM.canvasMeta).get("schema") ?? null, records },
  };
}

export class BoardJsonError extends Error {}

const choice = z.object({ id: z.string().max(LIMITS.idMax), label: z.string().max(LIMITS.labelMax * 2) });
const boardJsonV1 = z.object({
  type: z.literal(BOARD_JSON_TYPE),
  version: z.literal(1),
  exportedAt: z.string(),
  board: z.object({
    title: z.string().max(LIMITS.titleMax * 2),
    date: z.string().max(20),
    prompts: z.array(choice).max(LIMITS.promptsMax),
    categories: z.array(choice).max(LIMITS.categoriesMax),
  }),
  notes: z
    .array(
      z.object({
        id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
        text: z.string().max(LIMITS.noteTextMax * 4),
        prompt: z.string().max(LIMITS.idMax),
        category: z.string().max(LIMITS.idMax),
        author: z.string().max(LIMITS.authorMax * 4),
        createdAt: z.number(),
        updatedAt: z.number(),
      }),
    )
    .max(20_000),
  canvas: z.object({
    schema: z.unknown(),
    records: z.array(z.looseObject({ id: z.string().max(200), typeName: z.string().max(40) })).max(50_000),
  }),
});

/** Checks an untrusted file and upgrades any supported version to the current one. */
export function restoreBoardJson(input: unknown): BoardJsonV1 {
  const type = (input as { type?: unknown } | null)?.type;
  const version = (input as { version?: unknown } | null)?.version;
  if (type !== BOARD_JSON_TYPE) throw new BoardJsonError("not an Atelier board file");
  if (version !== BOARD_JSON_VERSION) throw new BoardJsonError(`unsupported version ${String(version)}`);
  const parsed = boardJsonV1.safeParse(input);
  if (!parsed.success) throw new BoardJsonError(`invalid board file: ${parsed.error.message.slice(0, 300)}`);
  return parsed.data as BoardJsonV1;
}

/** Writes an exported board into an empty `room` document. */
export function applyBoardJson(room: Y.Doc, data: BoardJsonV1, origin: unknown): void {
  room.transact(() => {
    writeSettings(room, {
      title: data.board.title,
      date: data.board.date,
      prompts: data.board.prompts,
      categories: data.board.categories,
      submissions: "locked",
      moderation: "open",
      layoutVersion: DOC_LAYOUT_VERSION,
    });
    for (const note of data.notes) {
      const text = cleanText(note.text).slice(0, LIMITS.noteTextMax * 2);
      const author = cleanLabel(note.author).slice(0, LIMITS.authorMax);
      if (text) notesMap(room).set(note.id, { ...note, text, author, status: "visible" });
    }
    if (data.canvas.schema) room.getMap(ROOM.canvasMeta).set("schema", data.canvas.schema);
    room.getArray(ROOM.canvas).push(data.canvas.records.map((val) => ({ key: val.id, val })));
  }, origin);
}

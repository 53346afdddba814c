import * as Y from "yjs";
import { readNotes, readSettings, ROOM } from "@atelier/shared/document/docLayout";
import { computeTally } from "@atelier/shared/derived/tally";
import { notesCsv, tallyCsv, type Separator } from "@atelier/shared/derived/exportCsv";
import { boardToJson } from "@atelier/shared/derived/boardJson";
import type { DocName } from "@atelier/shared/document/docLayout";
import type { Storage } from "../storage/storage.ts";
import type { DebriefSource } from "./debriefDocx.ts";
import { DEBRIEF_LABELS } from "./debriefLabels.ts";

/**
 * Every export of a board, from its live state or from a snapshot, with no
 * browser: the API, the CLI and the archive page all come through here.
 */
export const EXPORT_FORMATS = [
  "tally.csv",
  "notes.csv",
  "board.json",
  "tally.json",
  "board.png",
  "board.svg",
  "debrief.docx",
] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportFile {
  contentType: string;
  body: Uint8Array | string;
  filename: string;
}

/** Where exports read a board: its snapshots in storage, and its committed state now. */
export interface ExportSource {
  storage: Storage;
  liveStates(boardId: string): Promise<Record<DocName, Uint8Array> | null>;
}

/** "live" is the committed state of the board now. */
export async function loadBoardDocs(
  source: ExportSource,
  boardId: string,
  snapshotId: string,
): Promise<Record<DocName, Y.Doc> | null> {
  const states =
    snapshotId === "live"
      ? await source.liveStates(boardId)
      : await source.storage.getSnapshotStates(boardId, snapshotId);
  if (!states) return null;
  const docs = { room: new Y.Doc(), inbox: new Y.Doc() };
  Y.applyUpdate(docs.room, states.room);
  Y.applyUpdate(docs.inbox, states.inbox);
  return docs;
}

/** What the debrief says beyond the tally: the image, who took part, and which state it is. */
async function debriefContext(
  source: ExportSource,
  boardId: string,
  snapshotId: string,
  docs: Record<DocName, Y.Doc>,
): Promise<{
  image: { data: Uint8Array; width: number; height: number } | null;
  participants: number;
  voters: number;
  state: DebriefSource["state"];
}> {
  const live = snapshotId === "live";
  const snapshot = live ? undefined : (await source.storage.listSnapshots(boardId)).find((s) => s.id === snapshotId);
  const image = live ? null : await source.storage.getSnapshotImage(boardId, snapshotId, "png");
  // Owners are stored beside the documents; only the notes of this state count.
  const owners = await source.storage.loadOwners(boardId);
  const authors = new Set<string>();
  // Authors of the notes the debrief lists (visible ones), not of hidden or pending ones.
  for (const note of readNotes(docs.room).filter((n) => n.status === "visible")) {
    const owner = owners.get(note.id);
    if (owner) authors.add(owner);
  }
  const voters = docs.room.getMap<number>(ROOM.signals).get("voters");
  return {
    image,
    participants: authors.size,
    voters: typeof voters === "number" ? voters : 0,
    state: {
      name: snapshot?.name ?? "",
      kind: snapshot?.kind ?? "named",
      createdAt: snapshot?.createdAt ?? Date.now(),
      live,
    },
  };
}

function slug(text: string): string {
  return (
    text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^A-Za-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 60) || "atelier"
  );
}

export async function exportBoard(
  source: ExportSource,
  boardId: string,
  snapshotId: string,
  format: ExportFormat,
  separator: Separator = ";",
): Promise<ExportFile | null> {
  if (format === "board.png" || format === "board.svg") {
    if (snapshotId === "live") return null;
    const image = await source.storage.getSnapshotImage(boardId, snapshotId, format === "board.png" ? "png" : "svg");
    if (!image) return null;
    const board = await source.storage.getBoard(boardId);
    return {
      contentType: format === "board.png" ? "image/png" : "image/svg+xml",
      body: image.data,
      filename: `${slug(board?.title ?? "")}-${snapshotId}.${format === "board.png" ? "png" : "svg"}`,
    };
  }
  const docs = await loadBoardDocs(source, boardId, snapshotId);
  if (!docs) return null;
  const settings = readSettings(docs.room);
  const tally = computeTally(docs.room);
  const base = `${slug(settings.title)}-${snapshotId}`;
  switch (format) {
    case "tally.csv":
      return {
        contentType: "text/csv; charset=utf-8",
        body: tallyCsv(tally, settings, separator),
        filename: `${base}-themes.csv`,
      };
    case "notes.csv":
      return {
        contentType: "text/csv; charset=utf-8",
        body: notesCsv(tally, settings, separator),
        filename: `${base}-notes.csv`,
      };
    case "board.json":
      return {
        contentType: "application/json; charset=utf-8",
        body: JSON.stringify(boardToJson(docs.room), null, 2),
        filename: `${base}.atelier.json`,
      };
    case "debrief.docx": {
      // Loaded on first use: a relay that never writes a debrief document need not hold `docx`.
      const { debriefDocx } = await import("./debriefDocx.ts");
      return {
        contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        body: await debriefDocx({
          settings,
          tally,
          ...(await debriefContext(source, boardId, snapshotId, docs)),
        }),
        filename: `${base}-${DEBRIEF_LABELS[settings.language].filename}.docx`,
      };
    }
    case "tally.json":
      return {
        contentType: "application/json; charset=utf-8",
        body: JSON.stringify({ settings, tally }),
        filename: `${base}-tally.json`,
      };
    default: {
      const never: never = format;
      throw new Error(`unknown export ${String(never)}`);
    }
  }
}

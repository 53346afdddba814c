import { readSettings, type BoardSettings } from "@atelier/shared/document/docLayout";
import type { Phase } from "@atelier/shared/wire/protocol";
import { readThemes, canvasRecords } from "@atelier/shared/document/canvas";
import { computeTally } from "@atelier/shared/derived/tally";
import { crossDayTable, type CrossDayInput } from "@atelier/shared/derived/crossDay";
import { finalSnapshotId } from "@atelier/shared/derived/finalSnapshot";
import type { AdminBoard, SeriesDay, SeriesResponse } from "@atelier/shared/wire/adminSchemas";
import type { BoardRecord } from "../storage/storage.ts";
import { loadBoardDocs, type ExportSource } from "./exports.ts";

/** A day closed from the board (submissions locked, final snapshot taken) reads as closed, whatever step it was on. */
function dayPhase(settings: BoardSettings, closedAt: string | null): Phase {
  return settings.submissions === "locked" && closedAt !== null ? "closed" : settings.phase;
}

/**
 * What the organiser's page and the series page show of boards, read from
 * their committed state (or a closed day's final snapshot) with no browser.
 */
export async function boardSummary(source: ExportSource, board: BoardRecord): Promise<AdminBoard> {
  const docs = await loadBoardDocs(source, board.id, "live");
  const settings = docs ? readSettings(docs.room) : null;
  const snapshots = await source.storage.listSnapshots(board.id);
  const summary: AdminBoard = {
    boardId: board.id,
    title: settings?.title || board.title,
    date: settings?.date ?? "",
    phase: settings ? dayPhase(settings, finalSnapshotId(snapshots)) : "collect",
    seriesId: board.seriesId ?? null,
    counts: {
      notes: docs ? computeTally(docs.room).total : 0,
      themes: docs ? readThemes(canvasRecords(docs.room)).length : 0,
      snapshots: snapshots.length,
    },
    createdAt: board.createdAt,
    lastActivityAt: Math.max(board.lastActivityAt ?? board.createdAt, ...snapshots.map((s) => s.createdAt)),
    retentionDays: await source.storage.getRetention(board.id),
  };
  if (docs) for (const doc of Object.values(docs)) doc.destroy();
  return summary;
}

/** The days of a series in the order they happened (date, then creation), each as it ended or stands. */
export async function seriesView(source: ExportSource, seriesId: string): Promise<SeriesResponse | null> {
  const series = await source.storage.getSeries(seriesId);
  if (!series) return null;
  const boards = (await source.storage.listBoards()).filter((b) => b.seriesId === seriesId);
  const inputs: (CrossDayInput & { day: SeriesDay })[] = [];
  for (const board of boards) {
    const snapshots = await source.storage.listSnapshots(board.id);
    const final = finalSnapshotId(snapshots);
    const snapshotId = final ?? "live";
    const docs = await loadBoardDocs(source, board.id, snapshotId);
    if (!docs) continue;
    const settings = readSettings(docs.room);
    const tally = computeTally(docs.room);
    for (const doc of Object.values(docs)) doc.destroy();
    const day: SeriesDay = {
      boardId: board.id,
      title: settings.title || board.title,
      date: settings.date,
      phase: dayPhase(settings, final),
      snapshotId,
      hasImage: final !== null && (snapshots.find((s) => s.id === final)?.images ?? []).includes("png"),
      themes: tally.themes.map((t) => ({ title: t.title, count: t.count })),
      outside: tally.outside.count,
      total: tally.total,
    };
    inputs.push({ boardId: board.id, title: day.title, date: day.date, settings, tally, day });
  }
  inputs.sort((a, b) => a.date.localeCompare(b.date));
  const merges = await source.storage.seriesMerges(seriesId);
  return {
    version: 1,
    seriesId,
    title: series.title,
    days: inputs.map((i) => i.day),
    table: crossDayTable(inputs, merges),
  };
}

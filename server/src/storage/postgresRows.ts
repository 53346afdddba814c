import type { BoardRecord, SeriesRecord } from "./storage.ts";

/** Rows as pg returns them (BIGINT as text) turned into records. */
export const BOARD_COLUMNS = "id, join_code, title, created_at, series_id, last_activity_at";

export function toBoard(row: unknown): BoardRecord | null {
  if (!row) return null;
  const r = row as {
    id: string;
    join_code: string;
    title: string;
    created_at: string;
    series_id: string | null;
    last_activity_at: string | null;
  };
  return {
    id: r.id,
    joinCode: r.join_code,
    title: r.title,
    createdAt: Number(r.created_at),
    seriesId: r.series_id,
    lastActivityAt: Number(r.last_activity_at ?? r.created_at),
  };
}

export function toSeries(row: unknown): SeriesRecord | null {
  if (!row) return null;
  const r = row as { id: string; title: string; created_at: string };
  return { id: r.id, title: r.title, createdAt: Number(r.created_at) };
}

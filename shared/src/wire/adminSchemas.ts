import { z } from "zod";
import { LIMITS } from "./limits.ts";
import type { Phase } from "./protocol.ts";
import type { CrossDayTable } from "../derived/crossDay.ts";

/**
 * The organiser's HTTP contract (`/api/admin/…`, admin secret as bearer)
 * and the series page's (`/api/series/:id…`, the series link or the admin
 * secret). Requests are parsed by these schemas at the edge of the relay.
 */
export const BOARD_ID_PATTERN = /^[a-z0-9]{1,32}$/;
export const SERIES_ID_PATTERN = /^[a-z0-9]{1,32}$/;

/** Body of `POST /api/admin/series`. */
export const createSeriesRequest = z.strictObject({
  title: z
    .string()
    .min(1)
    .max(LIMITS.titleMax * 2),
});

/** Body of `PATCH /api/admin/boards/:id`: move a board into a series, or out of it. */
export const boardSeriesPatch = z.strictObject({
  seriesId: z.string().regex(SERIES_ID_PATTERN).nullable(),
});

/** Body of `POST /api/series/:id/merges`: count `alias`'s theme under `into`, or undo with null. */
export const seriesMergeRequest = z.strictObject({
  alias: z
    .string()
    .min(1)
    .max(LIMITS.titleMax * 2),
  into: z
    .string()
    .min(1)
    .max(LIMITS.titleMax * 2)
    .nullable(),
});

/** "Start from an earlier day" in `POST /api/boards` (admin secret). */
export const earlierDaySchema = z.strictObject({
  boardId: z.string().regex(BOARD_ID_PATTERN),
  /** Copy the day's themes (titles and frames, empty) too. */
  themes: z.boolean(),
});

/** One board as the organiser's page lists it. Never holds a link's secret. */
export interface AdminBoard {
  boardId: string;
  title: string;
  date: string;
  phase: Phase;
  seriesId: string | null;
  counts: { notes: number; themes: number; snapshots: number };
  createdAt: number;
  lastActivityAt: number;
  retentionDays: number | null;
}

export interface SeriesSummary {
  seriesId: string;
  title: string;
  createdAt: number;
}

/** `GET /api/admin/boards`. */
export interface AdminBoardsResponse {
  version: 1;
  boards: AdminBoard[];
  series: SeriesSummary[];
}

/** `POST /api/admin/series` and `POST /api/admin/series/:id/link`. */
export interface SeriesLinkResponse {
  seriesId: string;
  link: string;
}

/** One day of a series as its page shows it: the closed day's final snapshot, or the live board. */
export interface SeriesDay {
  boardId: string;
  title: string;
  date: string;
  phase: Phase;
  /** The state shown: the last close snapshot's id, or "live". */
  snapshotId: string;
  hasImage: boolean;
  themes: { title: string; count: number }[];
  outside: number;
  total: number;
}

/** `GET /api/series/:id`. */
export interface SeriesResponse {
  version: 1;
  seriesId: string;
  title: string;
  days: SeriesDay[];
  table: CrossDayTable;
}

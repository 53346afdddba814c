import type { IncomingMessage } from "node:http";
import {
  BOARD_ID_PATTERN,
  SERIES_ID_PATTERN,
  boardSeriesPatch,
  createSeriesRequest,
  seriesMergeRequest,
  type AdminBoardsResponse,
} from "@atelier/shared/wire/adminSchemas";
import { CROSS_DAY_LABELS, crossDayCsv, themeKey } from "@atelier/shared/derived/crossDay";
import { isLoopback } from "@atelier/shared/wire/loopback";
import { createSeries, rotateSeriesLink, authenticateSeries } from "../rooms/series.ts";
import { boardSummary, seriesView } from "../archive/seriesView.ts";
import {
  bearer,
  exportSource,
  HttpError,
  isLocalRequest,
  json,
  parse,
  readJson,
  requireAdmin,
  type ApiContext,
  type Route,
} from "./router.ts";

/**
 * The organiser's routes (`/api/admin/…`, admin secret) and the series
 * page's (`/api/series/:id…`, the series link or the admin secret). Links
 * of boards are re-issued and boards deleted through the board routes,
 * which take the admin secret where they take a coordinator link.
 */
const BOARD = `(${BOARD_ID_PATTERN.source.replace(/^\^|\$$/g, "")})`;
const SERIES = `(${SERIES_ID_PATTERN.source.replace(/^\^|\$$/g, "")})`;
/** More than any network's days could hold: a bound on what a series link may store. */
const MAX_MERGES = 500;

async function requireSeries(ctx: ApiContext, req: IncomingMessage, seriesId: string): Promise<void> {
  if (!(await ctx.storage.getSeries(seriesId))) throw new HttpError(404, "no_such_series");
  const token = bearer(req);
  if (ctx.admin.matches(token)) return;
  if ((await authenticateSeries(ctx.storage, token)) === seriesId) return;
  throw new HttpError(401, "unauthorized", "missing, wrong or revoked series link");
}

export const ADMIN_ROUTES: readonly Route[] = [
  {
    // The organiser's page opened on the relay's own computer needs no typing (BOARD_CREATION=local-or-secret).
    method: "GET",
    path: /^\/api\/admin\/local$/,
    handler: async (ctx, req) => {
      const host = (req.headers.host ?? "").replace(/:\d+$/, "");
      // The Host check keeps a page of another site, rebound to 127.0.0.1 by its DNS, out.
      if (ctx.boardCreation !== "local-or-secret" || !isLocalRequest(req) || !isLoopback(host))
        throw new HttpError(403, "admin_secret_required");
      return json(200, { adminSecret: ctx.admin.current() });
    },
  },
  {
    method: "GET",
    path: /^\/api\/admin\/boards$/,
    handler: async (ctx, req) => {
      requireAdmin(ctx, req);
      const query = themeKey(new URL(req.url ?? "/", "http://x").searchParams.get("q") ?? "");
      const boards = [];
      for (const board of await ctx.storage.listBoards()) {
        const summary = await boardSummary(exportSource(ctx), board);
        if (!query || themeKey(summary.title).includes(query)) boards.push(summary);
      }
      const series = (await ctx.storage.listSeries()).map((s) => ({
        seriesId: s.id,
        title: s.title,
        createdAt: s.createdAt,
      }));
      return json(200, { version: 1, boards, series } satisfies AdminBoardsResponse);
    },
  },
  {
    method: "PATCH",
    path: new RegExp(`^/api/admin/boards/${BOARD}$`),
    handler: async (ctx, req, [boardId]) => {
      requireAdmin(ctx, req);
      const { seriesId } = parse(boardSeriesPatch, await readJson(req));
      const board = await ctx.storage.getBoard(boardId!);
      if (!board) throw new HttpError(404, "no_such_board");
      if (seriesId && !(await ctx.storage.getSeries(seriesId))) throw new HttpError(404, "no_such_series");
      await ctx.storage.setBoardSeries(boardId!, seriesId);
      return json(200, await boardSummary(exportSource(ctx), { ...board, seriesId }));
    },
  },
  {
    method: "POST",
    path: /^\/api\/admin\/series$/,
    handler: async (ctx, req) => {
      requireAdmin(ctx, req);
      const { title } = parse(createSeriesRequest, await readJson(req));
      return json(201, await createSeries(ctx.storage, ctx.publicUrl, title));
    },
  },
  {
    method: "POST",
    path: new RegExp(`^/api/admin/series/${SERIES}/link$`),
    handler: async (ctx, req, [seriesId]) => {
      requireAdmin(ctx, req);
      if (!(await ctx.storage.getSeries(seriesId!))) throw new HttpError(404, "no_such_series");
      return json(200, { seriesId: seriesId!, link: await rotateSeriesLink(ctx.storage, ctx.publicUrl, seriesId!) });
    },
  },
  {
    // Deletes the series only; `?boards=delete` deletes its boards too (they are not the series' own).
    method: "DELETE",
    path: new RegExp(`^/api/admin/series/${SERIES}$`),
    handler: async (ctx, req, [seriesId]) => {
      requireAdmin(ctx, req);
      if (!(await ctx.storage.getSeries(seriesId!))) throw new HttpError(404, "no_such_series");
      const withBoards = new URL(req.url ?? "/", "http://x").searchParams.get("boards") === "delete";
      const boards = (await ctx.storage.listBoards()).filter((b) => b.seriesId === seriesId);
      if (withBoards) for (const board of boards) await ctx.rooms.deleteBoard(board.id);
      await ctx.storage.deleteSeries(seriesId!);
      return json(200, { deleted: seriesId!, boardsDeleted: withBoards ? boards.map((b) => b.id) : [] });
    },
  },
  {
    method: "GET",
    path: new RegExp(`^/api/series/${SERIES}$`),
    handler: async (ctx, req, [seriesId]) => {
      await requireSeries(ctx, req, seriesId!);
      return json(200, await seriesView(exportSource(ctx), seriesId!));
    },
  },
  {
    method: "GET",
    path: new RegExp(`^/api/series/${SERIES}/themes\\.csv$`),
    handler: async (ctx, req, [seriesId]) => {
      await requireSeries(ctx, req, seriesId!);
      const view = (await seriesView(exportSource(ctx), seriesId!))!;
      const query = new URL(req.url ?? "/", "http://x").searchParams;
      const separator = query.get("sep") === "," ? "," : ";";
      // Headers in the page's language (`?lang=en`); French by default, as every export.
      const labels = CROSS_DAY_LABELS[query.get("lang") === "en" ? "en" : "fr"];
      return {
        file: {
          contentType: "text/csv; charset=utf-8",
          body: crossDayCsv(view.table, separator, labels),
          filename: `serie-${seriesId}-themes.csv`,
        },
      };
    },
  },
  {
    method: "POST",
    path: new RegExp(`^/api/series/${SERIES}/merges$`),
    handler: async (ctx, req, [seriesId]) => {
      await requireSeries(ctx, req, seriesId!);
      const { alias, into } = parse(seriesMergeRequest, await readJson(req));
      const from = themeKey(alias);
      const target = into === null ? null : themeKey(into);
      if (!from || target === "") throw new HttpError(400, "invalid_request", "empty title");
      const merges = await ctx.storage.seriesMerges(seriesId!);
      if (target !== null && !merges.has(from) && merges.size >= MAX_MERGES)
        throw new HttpError(409, "too_many_merges", `at most ${MAX_MERGES} per series`);
      await ctx.storage.setSeriesMerge(seriesId!, from, target === from ? null : target);
      return json(200, await seriesView(exportSource(ctx), seriesId!));
    },
  },
];

import type { IncomingMessage } from "node:http";
import { z } from "zod";
import {
  createBoardRequest,
  moderationRequest,
  settingsPatch,
  type NoteFlagsResponse,
} from "@atelier/shared/wire/boardSchemas";
import { isJoinCode, normalizeJoinCode } from "@atelier/shared/wire/limits";
import { readNotes, readSettings } from "@atelier/shared/document/docLayout";
import { Origin } from "@atelier/shared/document/origins";
import { RefusalReason } from "@atelier/shared/wire/protocol";
import { ROLES, type Role } from "@atelier/shared/wire/roles";
import { BOARD_ID_PATTERN } from "@atelier/shared/wire/adminSchemas";
import { cleanLabel } from "@atelier/shared/wire/text";
import { applyBoardJson, restoreBoardJson } from "@atelier/shared/derived/boardJson";
import { identifyingDetails } from "@atelier/shared/derived/curation/identifyingDetails";
import { computeTally } from "@atelier/shared/derived/tally";
import { createBoard, reissueLink } from "../rooms/boards.ts";
import { fromEarlierDay } from "../rooms/earlierDay.ts";
import type { Refusal } from "../rooms/result.ts";
import { moderateNote } from "../ingest/moderation.ts";
import { changeSettings } from "../ingest/settings.ts";
import { holdsBack, putNote } from "../ingest/notes.ts";
import { exportBoard, EXPORT_FORMATS, type ExportFormat } from "../archive/exports.ts";
import { MAX_IMAGE_BYTES, pngImage, svgImage } from "../archive/boardImages.ts";
import type { SnapshotImage } from "../storage/storage.ts";
import {
  exportSource,
  HttpError,
  json,
  mayCreateBoards,
  parse,
  readJson,
  requireAdmin,
  requireLink,
  type Route,
} from "./router.ts";
import { ADMIN_ROUTES } from "./adminRoutes.ts";

const BOARD = `(${BOARD_ID_PATTERN.source.replace(/^\^|\$$/g, "")})`;
const ANY_BOARD_LINK: Role[] = ["facilitator", "coordinator"];

/** Rendered images travel as JSON: base64 PNG and SVG text. */
const imagesBody = z.object({
  name: z.string().max(120).optional(),
  png: z
    .string()
    .max(MAX_IMAGE_BYTES * 2)
    .optional(),
  svg: z.string().max(MAX_IMAGE_BYTES).optional(),
});

function images(body: z.infer<typeof imagesBody>): SnapshotImage[] {
  try {
    return [...(body.png ? [pngImage(body.png)] : []), ...(body.svg ? [svgImage(body.svg)] : [])];
  } catch (error) {
    throw new HttpError(400, "invalid_image", (error as Error).message);
  }
}

/** A refused change, as the API says it. */
function refused(refusal: Refusal): HttpError {
  switch (refusal.reason) {
    case RefusalReason.NoSuchNote:
      return new HttpError(404, "no_such_note");
    case RefusalReason.EmptyText:
    case RefusalReason.TextTooLong:
      return new HttpError(400, "bad_text", refusal.reason);
    case RefusalReason.StorageUnavailable:
      return new HttpError(503, "storage_unavailable");
    default:
      return new HttpError(409, refusal.reason);
  }
}

async function snapshotName(req: IncomingMessage): Promise<{ name: string; images: SnapshotImage[] }> {
  const body = parse(imagesBody, await readJson(req, MAX_IMAGE_BYTES * 3));
  return { name: cleanLabel(body.name ?? "").slice(0, 80), images: images(body) };
}

const BOARD_ROUTES: readonly Route[] = [
  { method: "GET", path: /^\/api\/health$/, handler: async () => json(200, { ok: true }) },
  {
    method: "GET",
    path: /^\/api\/server$/,
    handler: async (ctx, req) =>
      json(200, { mayCreateBoards: mayCreateBoards(ctx, req), boardCreation: ctx.boardCreation }),
  },
  {
    method: "POST",
    path: /^\/api\/boards$/,
    handler: async (ctx, req) => {
      if (!mayCreateBoards(ctx, req)) throw new HttpError(403, "admin_secret_required");
      const { from, ...request } = parse(createBoardRequest, await readJson(req));
      if (!from) return json(201, await createBoard(ctx.storage, ctx.publicUrl, request));
      // Reading an earlier day's settings and themes is the organiser's right.
      requireAdmin(ctx, req);
      const start = await fromEarlierDay(ctx.storage, ctx.rooms, ctx.publicUrl, request, from.boardId, from.themes);
      if (!start) throw new HttpError(404, "no_such_board");
      const created = await createBoard(ctx.storage, ctx.publicUrl, start.request, Date.now(), start.earlier);
      if (start.joinsSeries) await ctx.storage.setBoardSeries(start.joinsSeries, start.earlier.seriesId);
      return json(201, created);
    },
  },
  {
    method: "GET",
    path: /^\/api\/join\/([A-Za-z0-9 -]{1,20})$/,
    handler: async (ctx, req, [raw]) => {
      const address = req.socket.remoteAddress ?? "?";
      if (ctx.joinGuesses.blocked(address)) throw new HttpError(429, "too_many_unknown_codes");
      const code = normalizeJoinCode(raw!);
      const board = isJoinCode(code) ? await ctx.storage.findBoardByJoinCode(code) : null;
      if (!board) {
        ctx.joinGuesses.failed(address);
        throw new HttpError(404, "no_such_board");
      }
      return json(200, { joinCode: board.joinCode, title: board.title });
    },
  },
  {
    method: "GET",
    path: new RegExp(`^/api/boards/${BOARD}$`),
    handler: async (ctx, req, [boardId]) => {
      const link = await requireLink(ctx, req, boardId!, ["facilitator", "projector", "coordinator"]);
      const board = (await ctx.storage.getBoard(boardId!))!;
      const room = await ctx.rooms.open(boardId!);
      const inbox = link.role === "facilitator" ? readNotes(room.docs.inbox) : [];
      return json(200, {
        boardId: boardId!,
        role: link.role,
        // A series link reads a day's archive; joining (or posting on) a live day is not its business.
        joinCode: link.viaSeries ? "" : board.joinCode,
        participantUrl: link.viaSeries ? "" : `${ctx.publicUrl}/j/${board.joinCode}`,
        // Not a secret: tldraw checks it in the page; only board links receive it.
        tldrawLicenseKey: link.viaSeries ? "" : ctx.tldrawLicenseKey,
        settings: readSettings(room.docs.room),
        // Screens count the timer down against the relay's clock, not their own.
        serverTime: Date.now(),
        counts: {
          visible: readNotes(room.docs.room).length,
          pending: inbox.filter((n) => n.status === "pending").length,
          hidden: inbox.filter((n) => n.status === "hidden").length,
        },
      });
    },
  },
  {
    method: "PATCH",
    path: new RegExp(`^/api/boards/${BOARD}/settings$`),
    handler: async (ctx, req, [boardId]) => {
      await requireLink(ctx, req, boardId!, ["facilitator"]);
      const patch = parse(settingsPatch, await readJson(req));
      const room = await ctx.rooms.open(boardId!);
      const result = await changeSettings(room, patch);
      if (!result.ok) throw refused(result);
      return json(200, { settings: readSettings(room.docs.room) });
    },
  },
  {
    // Suggestions for the notes outside every theme; `placements` refer to the board's own themes.
    method: "GET",
    path: new RegExp(`^/api/boards/${BOARD}/suggestions$`),
    handler: async (ctx, req, [boardId]) => {
      await requireLink(ctx, req, boardId!, ["facilitator"]);
      const raw = new URL(req.url ?? "/", "http://x").searchParams.get("themes");
      const themes = raw === null ? undefined : Number(raw);
      if (themes !== undefined && !(Number.isInteger(themes) && themes >= 1 && themes <= 30))
        throw new HttpError(400, "invalid_request", "themes must be a whole number from 1 to 30");
      const room = await ctx.rooms.open(boardId!);
      const tally = computeTally(room.docs.room);
      const note = (n: (typeof tally.notes)[number]) => ({ id: n.id, text: n.text });
      const own = tally.themes.map((theme) => ({
        id: theme.themeId!,
        notes: tally.notes.filter((n) => n.themeId === theme.themeId).map(note),
      }));
      // Loaded on first use: the stemmer's code (every Snowball language) is most of the relay's bundle.
      const [{ suggestThemes }, { FeatureExtractor, withBoardWords }] = await Promise.all([
        import("@atelier/shared/derived/curation/themeSuggestions"),
        import("@atelier/shared/derived/curation/textFeatures"),
      ]);
      const extractor = new FeatureExtractor(withBoardWords(readSettings(room.docs.room).curationWords));
      return json(
        200,
        suggestThemes(tally.notes.filter((n) => n.themeId === null).map(note), own, { themes, extractor }),
      );
    },
  },
  {
    method: "GET",
    path: new RegExp(`^/api/boards/${BOARD}/flags$`),
    handler: async (ctx, req, [boardId]) => {
      await requireLink(ctx, req, boardId!, ["facilitator"]);
      const room = await ctx.rooms.open(boardId!);
      const notes = [...readNotes(room.docs.inbox), ...readNotes(room.docs.room)];
      const flags = notes.flatMap((note) =>
        identifyingDetails(note.text).map(({ kind, start, end, text, confidence }) => ({
          noteId: note.id,
          kind,
          start,
          end,
          text,
          confidence,
        })),
      );
      return json(200, { version: 1, flags } satisfies NoteFlagsResponse);
    },
  },
  {
    method: "POST",
    path: new RegExp(`^/api/boards/${BOARD}/notes/([A-Za-z0-9_-]{1,64})$`),
    handler: async (ctx, req, [boardId, noteId]) => {
      await requireLink(ctx, req, boardId!, ["facilitator"]);
      const request = parse(moderationRequest, await readJson(req));
      const room = await ctx.rooms.open(boardId!);
      const result = await moderateNote(room, noteId!, request);
      if (!result.ok) throw refused(result);
      return json(200, { note: result.value });
    },
  },
  {
    method: "POST",
    path: new RegExp(`^/api/boards/${BOARD}/links/([a-z]{1,20})$`),
    handler: async (ctx, req, [boardId, role]) => {
      await requireLink(ctx, req, boardId!, ["facilitator", "coordinator"]);
      if (!(ROLES as readonly string[]).includes(role!)) throw new HttpError(404, "no_such_role");
      return json(200, { link: await reissueLink(ctx.storage, ctx.rooms, ctx.publicUrl, boardId!, role as Role) });
    },
  },
  {
    method: "GET",
    path: new RegExp(`^/api/boards/${BOARD}/snapshots$`),
    handler: async (ctx, req, [boardId]) => {
      await requireLink(ctx, req, boardId!, ANY_BOARD_LINK);
      return json(200, { snapshots: await ctx.storage.listSnapshots(boardId!) });
    },
  },
  {
    method: "POST",
    path: new RegExp(`^/api/boards/${BOARD}/snapshots$`),
    handler: async (ctx, req, [boardId]) => {
      await requireLink(ctx, req, boardId!, ["facilitator"]);
      const { name, images } = await snapshotName(req);
      const room = await ctx.rooms.open(boardId!);
      return json(201, { snapshot: await room.takeSnapshot(name, "named", images) });
    },
  },
  {
    method: "POST",
    path: new RegExp(`^/api/boards/${BOARD}/close$`),
    handler: async (ctx, req, [boardId]) => {
      await requireLink(ctx, req, boardId!, ["facilitator"]);
      const { name, images } = await snapshotName(req);
      const room = await ctx.rooms.open(boardId!);
      // Closing the day closes its vote: the stored debrief then holds the totals.
      const { vote } = readSettings(room.docs.room);
      const locked = await changeSettings(room, { submissions: "locked", vote: { ...vote, open: false } });
      if (!locked.ok) throw refused(locked);
      return json(201, { snapshot: await room.takeSnapshot(name, "close", images) });
    },
  },
  {
    method: "GET",
    path: new RegExp(`^/api/boards/${BOARD}/snapshots/(live|[A-Za-z0-9_-]{1,32})/([a-z]+\\.[a-z]+)$`),
    handler: async (ctx, req, [boardId, snapshotId, format]) => {
      await requireLink(ctx, req, boardId!, ANY_BOARD_LINK);
      if (!(EXPORT_FORMATS as readonly string[]).includes(format!)) throw new HttpError(404, "no_such_export");
      const separator = new URL(req.url ?? "/", "http://x").searchParams.get("sep") === "," ? "," : ";";
      const file = await exportBoard(exportSource(ctx), boardId!, snapshotId!, format as ExportFormat, separator);
      if (!file) throw new HttpError(404, snapshotId === "live" ? "no_image_for_live_board" : "no_such_snapshot");
      return { file };
    },
  },
  {
    method: "PATCH",
    path: new RegExp(`^/api/boards/${BOARD}/retention$`),
    handler: async (ctx, req, [boardId]) => {
      await requireLink(ctx, req, boardId!, ["coordinator"]);
      const { days } = parse(
        z.strictObject({ days: z.number().int().min(1).max(3650).nullable() }),
        await readJson(req),
      );
      await ctx.storage.setRetention(boardId!, days);
      return json(200, { days });
    },
  },
  {
    method: "DELETE",
    path: new RegExp(`^/api/boards/${BOARD}$`),
    handler: async (ctx, req, [boardId]) => {
      await requireLink(ctx, req, boardId!, ["coordinator"]);
      await ctx.rooms.deleteBoard(boardId!);
      return json(200, { deleted: boardId! });
    },
  },
  {
    method: "POST",
    path: /^\/api\/boards\/import$/,
    handler: async (ctx, req) => {
      if (!mayCreateBoards(ctx, req)) throw new HttpError(403, "admin_secret_required");
      let data;
      try {
        data = restoreBoardJson(await readJson(req, 20 * 1024 * 1024));
      } catch (error) {
        if (error instanceof HttpError) throw error;
        throw new HttpError(400, "invalid_board_file", (error as Error).message);
      }
      const created = await createBoard(ctx.storage, ctx.publicUrl, {
        title: data.board.title || "Atelier",
        date: /^\d{4}-\d{2}-\d{2}$/.test(data.board.date) ? data.board.date : new Date().toISOString().slice(0, 10),
        prompts: [],
        categories: [],
      });
      const room = await ctx.rooms.open(created.boardId);
      const imported = await room.commit({
        edit: (docs) => {
          applyBoardJson(docs.room, data, Origin.import);
          // An imported note is checked like a phone's (rule P4): held back if it names someone.
          for (const note of readNotes(docs.room))
            if (holdsBack(note.text)) putNote(docs, { ...note, status: "pending" }, Origin.import);
        },
      });
      if (!imported.ok) throw refused(imported);
      return json(201, created);
    },
  },
];

export const ROUTES: readonly Route[] = [...BOARD_ROUTES, ...ADMIN_ROUTES];

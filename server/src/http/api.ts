import type { IncomingMessage, ServerResponse } from "node:http";
import { createBoardRequest, moderationRequest, settingsPatch } from "@atelier/shared/wire/boardSchemas";
import { isJoinCode, normalizeJoinCode } from "@atelier/shared/wire/limits";
import { readNotes, readSettings } from "@atelier/shared/document/docLayout";
import { ROLES, type Role } from "@atelier/shared/wire/roles";
import type { Storage, LinkRecord } from "../storage/storage.ts";
import { RoomsFullError, type Rooms } from "../rooms/rooms.ts";
import type { BoardCreationPolicy } from "../config.ts";
import { authenticate, createBoard, rotateLink } from "../rooms/boards.ts";
import { moderateNote, updateSettings } from "../ingest/notes.ts";
import { sendFile, sendJson } from "./headers.ts";
import { z } from "zod";
import { CloseCode } from "@atelier/shared/wire/closeCodes";
import { Origin } from "@atelier/shared/document/origins";
import { cleanLabel } from "@atelier/shared/wire/text";
import { applyBoardJson, restoreBoardJson } from "@atelier/shared/derived/boardJson";
import { exportBoard, EXPORT_FORMATS, type ExportFile, type ExportFormat } from "../archive/exports.ts";
import { MAX_IMAGE_BYTES, pngImage, svgImage, takeSnapshot } from "../archive/snapshots.ts";
import type { SnapshotImage } from "../storage/storage.ts";
import type { JoinGuesses } from "../guards/addressLimits.ts";

export interface ApiContext {
  storage: Storage;
  rooms: Rooms;
  publicUrl: string;
  boardCreation: BoardCreationPolicy;
  adminSecret: string;
  tldrawLicenseKey: string;
  joinGuesses: JoinGuesses;
}

const MAX_BODY = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail?: string,
  ) {
    super(code);
  }
}

async function readJson(req: IncomingMessage, maxBytes = MAX_BODY): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpError(413, "body_too_large");
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "invalid_json");
  }
}

function bearer(req: IncomingMessage): string {
  const header = req.headers.authorization ?? "";
  return header.startsWith("Bearer ") ? header.slice(7).trim() : "";
}

export function isLoopback(address: string | undefined): boolean {
  return !!address && (address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127."));
}

function mayCreateBoards(ctx: ApiContext, req: IncomingMessage): boolean {
  if (ctx.boardCreation === "anyone") return true;
  if (bearer(req) === ctx.adminSecret) return true;
  return ctx.boardCreation === "local-or-secret" && isLoopback(req.socket.remoteAddress);
}

async function requireLink(ctx: ApiContext, req: IncomingMessage, boardId: string, roles: Role[]): Promise<LinkRecord> {
  if (!(await ctx.storage.getBoard(boardId))) throw new HttpError(404, "no_such_board");
  const link = await authenticate(ctx.storage, boardId, bearer(req));
  if (!link) throw new HttpError(401, "unauthorized", "missing, wrong or revoked link");
  if (!roles.includes(link.role)) throw new HttpError(403, "forbidden", `not allowed for the ${link.role} link`);
  return link;
}

function parse<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: unknown } },
  value: unknown,
): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, "invalid_request", String(result.error));
  return result.data;
}

/** A handler's answer: JSON, or a file to download. */
class FileReply {
  constructor(readonly file: ExportFile) {}
}

type Handler = (ctx: ApiContext, req: IncomingMessage, params: string[]) => Promise<[number, unknown]>;

const BOARD = "([a-z0-9]{1,32})";
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

/** Closes the board's connections and removes every trace of it (rule R5). */
export async function deleteBoardEverywhere(storage: Storage, rooms: Rooms, boardId: string): Promise<void> {
  rooms.peek(boardId)?.shutDown(CloseCode.UnknownBoard, "board deleted");
  await storage.deleteBoard(boardId);
}

const ROUTES: [string, RegExp, Handler][] = [
  ["GET", /^\/api\/health$/, async () => [200, { ok: true }]],
  [
    "GET",
    /^\/api\/server$/,
    async (ctx, req) => [200, { mayCreateBoards: mayCreateBoards(ctx, req), boardCreation: ctx.boardCreation }],
  ],
  [
    "POST",
    /^\/api\/boards$/,
    async (ctx, req) => {
      if (!mayCreateBoards(ctx, req)) throw new HttpError(403, "admin_secret_required");
      const request = parse(createBoardRequest, await readJson(req));
      return [201, await createBoard(ctx.storage, ctx.publicUrl, request)];
    },
  ],
  [
    "GET",
    /^\/api\/join\/([A-Za-z0-9 -]{1,20})$/,
    async (ctx, req, [raw]) => {
      const address = req.socket.remoteAddress ?? "?";
      if (ctx.joinGuesses.blocked(address)) throw new HttpError(429, "too_many_unknown_codes");
      const code = normalizeJoinCode(raw!);
      const board = isJoinCode(code) ? await ctx.storage.findBoardByJoinCode(code) : null;
      if (!board) {
        ctx.joinGuesses.failed(address);
        throw new HttpError(404, "no_such_board");
      }
      return [200, { joinCode: board.joinCode, title: board.title }];
    },
  ],
  [
    "GET",
    /^\/api\/boards\/([a-z0-9]{1,32})$/,
    async (ctx, req, [boardId]) => {
      const link = await requireLink(ctx, req, boardId!, ["facilitator", "projector", "coordinator"]);
      const board = (await ctx.storage.getBoard(boardId!))!;
      const room = await ctx.rooms.open(boardId!);
      const inbox = link.role === "facilitator" ? readNotes(room.docs.inbox) : [];
      return [
        200,
        {
          boardId,
          role: link.role,
          joinCode: board.joinCode,
          participantUrl: `${ctx.publicUrl}/j/${board.joinCode}`,
          // Not a secret: tldraw checks it in the page; only board links receive it.
          tldrawLicenseKey: ctx.tldrawLicenseKey,
          settings: readSettings(room.docs.room),
          // Screens count the timer down against the relay's clock, not their own.
          serverTime: Date.now(),
          counts: {
            visible: readNotes(room.docs.room).length,
            pending: inbox.filter((n) => n.status === "pending").length,
            hidden: inbox.filter((n) => n.status === "hidden").length,
          },
        },
      ];
    },
  ],
  [
    "PATCH",
    /^\/api\/boards\/([a-z0-9]{1,32})\/settings$/,
    async (ctx, req, [boardId]) => {
      await requireLink(ctx, req, boardId!, ["facilitator"]);
      const patch = parse(settingsPatch, await readJson(req));
      const room = await ctx.rooms.open(boardId!);
      await updateSettings(ctx.storage, room, patch);
      return [200, { settings: readSettings(room.docs.room) }];
    },
  ],
  [
    "POST",
    /^\/api\/boards\/([a-z0-9]{1,32})\/notes\/([A-Za-z0-9_-]{1,64})$/,
    async (ctx, req, [boardId, noteId]) => {
      await requireLink(ctx, req, boardId!, ["facilitator"]);
      const request = parse(moderationRequest, await readJson(req));
      const room = await ctx.rooms.open(boardId!);
      const result = await moderateNote(ctx.storage, room, noteId!, request);
      if (!result.ok) throw new HttpError(result.error === "no_such_note" ? 404 : 400, result.error);
      return [200, { note: result.note }];
    },
  ],
  [
    "POST",
    /^\/api\/boards\/([a-z0-9]{1,32})\/links\/([a-z]{1,20})$/,
    async (ctx, req, [boardId, role]) => {
      await requireLink(ctx, req, boardId!, ["facilitator", "coordinator"]);
      if (!(ROLES as readonly string[]).includes(role!)) throw new HttpError(404, "no_such_role");
      const link = await rotateLink(ctx.storage, ctx.publicUrl, boardId!, role as Role);
      return [200, { link }];
    },
  ],
  [
    "GET",
    new RegExp(`^/api/boards/${BOARD}/snapshots$`),
    async (ctx, req, [boardId]) => {
      await requireLink(ctx, req, boardId!, ANY_BOARD_LINK);
      return [200, { snapshots: await ctx.storage.listSnapshots(boardId!) }];
    },
  ],
  [
    "POST",
    new RegExp(`^/api/boards/${BOARD}/snapshots$`),
    async (ctx, req, [boardId]) => {
      await requireLink(ctx, req, boardId!, ["facilitator"]);
      const body = parse(imagesBody, await readJson(req, MAX_IMAGE_BYTES * 3));
      const room = await ctx.rooms.open(boardId!);
      const name = cleanLabel(body.name ?? "").slice(0, 80);
      return [201, { snapshot: await takeSnapshot(ctx.storage, room, name, "named", images(body)) }];
    },
  ],
  [
    "POST",
    new RegExp(`^/api/boards/${BOARD}/close$`),
    async (ctx, req, [boardId]) => {
      await requireLink(ctx, req, boardId!, ["facilitator"]);
      const body = parse(imagesBody, await readJson(req, MAX_IMAGE_BYTES * 3));
      const room = await ctx.rooms.open(boardId!);
      await updateSettings(ctx.storage, room, { submissions: "locked" });
      const name = cleanLabel(body.name ?? "").slice(0, 80);
      return [201, { snapshot: await takeSnapshot(ctx.storage, room, name, "close", images(body)) }];
    },
  ],
  [
    "GET",
    new RegExp(`^/api/boards/${BOARD}/snapshots/(live|[A-Za-z0-9_-]{1,32})/([a-z]+\\.[a-z]+)$`),
    async (ctx, req, [boardId, snapshotId, format]) => {
      await requireLink(ctx, req, boardId!, ANY_BOARD_LINK);
      if (!(EXPORT_FORMATS as readonly string[]).includes(format!)) throw new HttpError(404, "no_such_export");
      const separator = new URL(req.url ?? "/", "http://x").searchParams.get("sep") === "," ? "," : ";";
      const file = await exportBoard(ctx.storage, boardId!, snapshotId!, format as ExportFormat, separator);
      if (!file) throw new HttpError(404, snapshotId === "live" ? "no_image_for_live_board" : "no_such_snapshot");
      return [200, new FileReply(file)];
    },
  ],
  [
    "PATCH",
    new RegExp(`^/api/boards/${BOARD}/retention$`),
    async (ctx, req, [boardId]) => {
      await requireLink(ctx, req, boardId!, ["coordinator"]);
      const { days } = parse(
        z.strictObject({ days: z.number().int().min(1).max(3650).nullable() }),
        await readJson(req),
      );
      await ctx.storage.setRetention(boardId!, days);
      return [200, { days }];
    },
  ],
  [
    "DELETE",
    new RegExp(`^/api/boards/${BOARD}$`),
    async (ctx, req, [boardId]) => {
      await requireLink(ctx, req, boardId!, ["coordinator"]);
      await deleteBoardEverywhere(ctx.storage, ctx.rooms, boardId!);
      return [200, { deleted: boardId }];
    },
  ],
  [
    "POST",
    /^\/api\/boards\/import$/,
    async (ctx, req) => {
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
      applyBoardJson(room.docs.room, data, Origin.migration);
      await ctx.storage.whenCommitted();
      return [201, created];
    },
  ],
];

/** Answers `/api/…`; returns false for any other path. */
export async function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  if (!path.startsWith("/api/")) return false;
  try {
    for (const [method, pattern, handler] of ROUTES) {
      const match = pattern.exec(path);
      if (!match) continue;
      if (req.method !== method) continue;
      const [status, body] = await handler(ctx, req, match.slice(1));
      if (body instanceof FileReply) sendFile(res, body.file);
      else sendJson(res, status, body);
      return true;
    }
    const known = ROUTES.some(([, pattern]) => pattern.test(path));
    throw new HttpError(known ? 405 : 404, known ? "method_not_allowed" : "not_found");
  } catch (error) {
    if (error instanceof HttpError) sendJson(res, error.status, { error: error.code, detail: error.detail });
    else if (error instanceof RoomsFullError) sendJson(res, 503, { error: "relay_busy" });
    else {
      console.error("api error", error instanceof Error ? error.message : error);
      sendJson(res, 500, { error: "internal_error" });
    }
    return true;
  }
}

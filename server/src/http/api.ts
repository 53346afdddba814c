import type { IncomingMessage, ServerResponse } from "node:http";
import { createBoardRequest, moderationRequest, settingsPatch } from "@atelier/shared/boardSchemas";
import { isJoinCode, normalizeJoinCode } from "@atelier/shared/limits";
import { readNotes, readSettings } from "@atelier/shared/docLayout";
import { ROLES, type Role } from "@atelier/shared/roles";
import type { Storage, LinkRecord } from "../storage/storage.ts";
import type { Rooms } from "../rooms.ts";
import type { BoardCreationPolicy } from "../config.ts";
import { authenticate, createBoard, rotateLink } from "../boards.ts";
import { moderateNote, updateSettings } from "../notes.ts";
import { sendJson } from "./headers.ts";

export interface ApiContext {
  storage: Storage;
  rooms: Rooms;
  publicUrl: string;
  boardCreation: BoardCreationPolicy;
  adminSecret: string;
  tldrawLicenseKey: string;
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

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, "body_too_large");
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

type Handler = (ctx: ApiContext, req: IncomingMessage, params: string[]) => Promise<[number, unknown]>;

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
    async (ctx, _req, [raw]) => {
      const code = normalizeJoinCode(raw!);
      const board = isJoinCode(code) ? await ctx.storage.findBoardByJoinCode(code) : null;
      if (!board) throw new HttpError(404, "no_such_board");
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
      sendJson(res, status, body);
      return true;
    }
    const known = ROUTES.some(([, pattern]) => pattern.test(path));
    throw new HttpError(known ? 405 : 404, known ? "method_not_allowed" : "not_found");
  } catch (error) {
    if (error instanceof HttpError) sendJson(res, error.status, { error: error.code, detail: error.detail });
    else {
      console.error("api error", error instanceof Error ? error.message : error);
      sendJson(res, 500, { error: "internal_error" });
    }
    return true;
  }
}

import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiError } from "@atelier/shared/wire/boardSchemas";
import { isLoopback } from "@atelier/shared/wire/loopback";
import type { Role } from "@atelier/shared/wire/roles";
import type { BoardCreationPolicy } from "../config.ts";
import type { JoinGuesses } from "../guards/addressLimits.ts";
import { authenticate } from "../rooms/boards.ts";
import type { AdminSecret } from "../rooms/adminSecret.ts";
import { authenticateSeries } from "../rooms/series.ts";
import { OwnedElsewhereError, RoomsFullError, type Rooms } from "../rooms/rooms.ts";
import { isStorageUnavailable } from "../storage/openStorage.ts";
import type { ExportFile } from "../archive/exports.ts";
import type { LinkRecord, Storage } from "../storage/storage.ts";
import { sendFile, sendJson } from "./headers.ts";

/**
 * The plumbing every API route shares: reading a bounded JSON body,
 * checking a link's role, and turning a route's answer or refusal into a
 * response. The routes themselves are in `routes.ts`.
 */
export interface ApiContext {
  storage: Storage;
  rooms: Rooms;
  publicUrl: string;
  boardCreation: BoardCreationPolicy;
  admin: AdminSecret;
  tldrawLicenseKey: string;
  joinGuesses: JoinGuesses;
}

/** Where exports read boards from a request: storage, and the rooms this relay holds. */
export function exportSource(ctx: ApiContext) {
  return { storage: ctx.storage, liveStates: (id: string) => ctx.rooms.liveStates(id) };
}

/** A refusal with its status and the `error` code of the JSON body (`ApiError`). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail?: string,
  ) {
    super(code);
  }
}

/** A route's answer: JSON with its status, or a file to download. */
export type Reply<T> = { status: number; body: T } | { file: ExportFile };

export function json<T>(status: number, body: T): Reply<T> {
  return { status, body };
}

export type Handler = (ctx: ApiContext, req: IncomingMessage, params: string[]) => Promise<Reply<unknown>>;
export type Route = { method: string; path: RegExp; handler: Handler };

const MAX_BODY = 64 * 1024;

export async function readJson(req: IncomingMessage, maxBytes = MAX_BODY): Promise<unknown> {
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

export function parse<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: unknown } },
  value: unknown,
): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, "invalid_request", String(result.error));
  return result.data;
}

export function bearer(req: IncomingMessage): string {
  const header = req.headers.authorization ?? "";
  return header.startsWith("Bearer ") ? header.slice(7).trim() : "";
}

/**
 * A request from the relay's own computer: a loopback peer that no proxy
 * forwarded (behind a reverse proxy on the same machine every request comes
 * from loopback, so forwarding headers mean "not local").
 */
export function isLocalRequest(req: IncomingMessage): boolean {
  const forwarded = req.headers["x-forwarded-for"] ?? req.headers.forwarded ?? req.headers["x-real-ip"];
  return forwarded === undefined && isLoopback(req.socket.remoteAddress);
}

export function mayCreateBoards(ctx: ApiContext, req: IncomingMessage): boolean {
  if (ctx.boardCreation === "anyone") return true;
  if (ctx.admin.matches(bearer(req))) return true;
  return ctx.boardCreation === "local-or-secret" && isLocalRequest(req);
}

/** The organiser's routes: the admin secret as bearer, or 401 (rule R8). */
export function requireAdmin(ctx: ApiContext, req: IncomingMessage): void {
  const given = bearer(req);
  if (!given) throw new HttpError(401, "admin_secret_required");
  if (!ctx.admin.matches(given)) throw new HttpError(401, "wrong_admin_secret");
}

/**
 * The request's link, if it is live, of this board and of one of `roles`
 * (rule R1). Where a coordinator may act, so may the organiser with the
 * admin secret, and a series link may read (GET) its own days (rule R8).
 */
export async function requireLink(
  ctx: ApiContext,
  req: IncomingMessage,
  boardId: string,
  roles: readonly Role[],
): Promise<LinkRecord> {
  const board = await ctx.storage.getBoard(boardId);
  if (!board) throw new HttpError(404, "no_such_board");
  const token = bearer(req);
  if (roles.includes("coordinator")) {
    const asCoordinator: LinkRecord = { boardId, role: "coordinator", revoked: false };
    if (ctx.admin.matches(token)) return asCoordinator;
    if (req.method === "GET" && board.seriesId && (await authenticateSeries(ctx.storage, token)) === board.seriesId)
      return { ...asCoordinator, viaSeries: true };
  }
  const link = await authenticate(ctx.storage, boardId, token);
  if (!link) throw new HttpError(401, "unauthorized", "missing, wrong or revoked link");
  if (!roles.includes(link.role)) throw new HttpError(403, "forbidden", `not allowed for the ${link.role} link`);
  return link;
}

/** Answers `/api/…` from `routes`; returns false for any other path. */
export async function dispatch(
  routes: readonly Route[],
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  if (!path.startsWith("/api/")) return false;
  try {
    for (const route of routes) {
      const match = route.path.exec(path);
      if (!match || req.method !== route.method) continue;
      const reply = await route.handler(ctx, req, match.slice(1));
      if ("file" in reply) sendFile(res, reply.file);
      else sendJson(res, reply.status, reply.body);
      return true;
    }
    const known = routes.some((route) => route.path.test(path));
    throw new HttpError(known ? 405 : 404, known ? "method_not_allowed" : "not_found");
  } catch (error) {
    if (error instanceof HttpError) {
      sendJson(res, error.status, { error: error.code, detail: error.detail } satisfies ApiError);
    } else if (error instanceof RoomsFullError) sendJson(res, 503, { error: "relay_busy" } satisfies ApiError);
    else if (error instanceof OwnedElsewhereError || isStorageUnavailable(error)) {
      // Transient: the shared store is away, or the board just moved to another relay.
      res.setHeader("Retry-After", "1");
      sendJson(res, 503, { error: "storage_unavailable" } satisfies ApiError);
    } else {
      console.error("api error", error instanceof Error ? error.message : error);
      sendJson(res, 500, { error: "internal_error" } satisfies ApiError);
    }
    return true;
  }
}

/**
 * What an HTTP request to the API is made of, drawn at random: a route of the
 * API table with a method that is usually its own, a path that is sometimes
 * mangled, a body that is sometimes valid, and a token that must not let the
 * victim be changed. Shared by the node:http driver and the raw one.
 */
import type { Rand } from "./rand.ts";
import { uri, weirdJson, weirdString } from "./strings.ts";
import { mutate } from "./mutators.ts";
import { mayGuess, wrongToken, type Ctx } from "./context.ts";

export interface HttpAttempt {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | null;
}

/** A path of the API and the method its route answers. */
function apiRoute(ctx: Ctx, r: Rand, boardId: string): [string, string] {
  const noteId =
    ctx.allNotes.length > 0 && r.chance(0.6)
      ? r.pick(ctx.allNotes)
      : r.pick(["nope", "x".repeat(70), "a-b_c", weirdString(r, 8)]);
  const snapshot = r.pick(["live", "live", "nosuchsnapshot", "x".repeat(33)]);
  const format = r.pick(["tally.csv", "notes.csv", "board.json", "tally.json", "board.png", "board.svg", "x.exe"]);
  const role = r.pick(["facilitator", "projector", "coordinator", "participant", "admin", "x"]);
  const code =
    r.chance(0.2) && mayGuess(ctx)
      ? r.pick(["abc-def", "ZZZZZZ", "A B C D E F"])
      : r.pick([ctx.target.joinCode, ctx.victim.joinCode, ctx.victim.joinCode.toLowerCase()]);
  return r.weighted<() => [string, string]>([
    [2, () => ["/api/health", "GET"]],
    [1, () => ["/api/server", "GET"]],
    [3, () => ["/api/boards", "POST"]],
    [2, () => [`/api/join/${uri(code)}`, "GET"]],
    [4, () => [`/api/boards/${boardId}`, r.chance(0.9) ? "GET" : "DELETE"]],
    [3, () => [`/api/boards/${boardId}/settings`, "PATCH"]],
    [3, () => [`/api/boards/${boardId}/notes/${uri(noteId)}`, "POST"]],
    [2, () => [`/api/boards/${boardId}/links/${role}`, "POST"]],
    [2, () => [`/api/boards/${boardId}/snapshots`, r.chance(0.5) ? "GET" : "POST"]],
    [1, () => [`/api/boards/${boardId}/close`, "POST"]],
    [2, () => [`/api/boards/${boardId}/snapshots/${snapshot}/${format}${r.chance(0.3) ? "?sep=," : ""}`, "GET"]],
    [2, () => [`/api/boards/${boardId}/retention`, "PATCH"]],
    [1, () => ["/api/boards/import", "POST"]],
    [1, () => [`/api/${uri(weirdString(r, 20))}`, "GET"]],
  ])();
}

function pathMutation(r: Rand, path: string): string {
  return r.weighted<() => string>([
    [10, () => path],
    [1, () => path + "/"],
    [1, () => path + "?" + uri(weirdString(r, 20)) + "=" + uri(weirdString(r, 20))],
    [1, () => path.replace("/api/", "/api//")],
    [1, () => path.replace("boards", "%62oards")],
    [1, () => path.toUpperCase()],
    [0.5, () => path + "/" + "x".repeat(r.pick([100, 5_000, 20_000]))],
    [0.5, () => path.replace(/\/[^/]*$/, "/..%2f..%2f")],
    [0.5, () => path + "#frag"],
  ])();
}

function apiBody(ctx: Ctx, r: Rand, path: string): Buffer | null {
  const valid = (): unknown => {
    if (path.endsWith("/settings")) {
      const patch: Record<string, unknown> = {};
      if (r.chance(0.5)) patch.submissions = r.pick(["open", "locked", "open"]);
      if (r.chance(0.3)) patch.moderation = r.pick(["open", "controlled"]);
      if (r.chance(0.4)) patch.phase = r.pick(["collect", "reveal", "group", "vote", "collect", "closed", "done"]);
      if (r.chance(0.2)) patch.hideTextsUntilReveal = r.pick<unknown>([true, false, "yes"]);
      if (r.chance(0.3)) {
        patch.vote = {
          open: r.chance(0.7),
          target: r.pick(["notes", "themes", "people"]),
          dots: r.pick([3, 1, 20, 0, 21]),
        };
      }
      if (r.chance(0.3)) {
        patch.timer = r.pick<unknown>([
          { action: "start", durationMs: r.pick([1000, 300_000, 999, 4 * 3_600_000 + 1, 1.5]) },
          { action: "pause" },
          { action: "resume" },
          { action: "reset" },
          { action: "stop" },
        ]);
      }
      return patch;
    }
    if (path.includes("/notes/"))
      return r.pick<unknown>([
        { action: "approve" },
        { action: "hide" },
        { action: "unhide" },
        { action: "edit", text: weirdString(r, 300) },
      ]);
    if (path.endsWith("/retention")) return { days: r.pick<unknown>([1, 30, 3650, 0, 3651, null, 1.5, "7"]) };
    if (path.endsWith("/snapshots") || path.endsWith("/close")) {
      return r.pick<unknown>([
        { name: weirdString(r, 40) },
        { svg: `<svg width="${r.int(2000)}" height="10"></svg>` },
        { png: Buffer.from([137, 80, 78, 71, 13, 10, 26, 10, ...r.bytes(40)]).toString("base64") },
        { png: "not base64 !!" },
        { svg: "<div>" },
      ]);
    }
    if (path.endsWith("/import"))
      return { version: r.pick([1, 2]), board: { title: weirdString(r, 20), date: "2026-01-01" }, room: weirdJson(r) };
    return {
      title: r.chance(0.9) ? weirdString(r, 100) : "",
      date: r.pick(["2026-11-30", "2026-13-45", "tomorrow"]),
      prompts: Array.from({ length: r.range(0, 14) }, () => weirdString(r, 50)),
      categories: Array.from({ length: r.range(0, 3) }, () => weirdString(r, 50)),
      ...(r.chance(0.3) ? { moderation: r.pick(["open", "controlled", "strict"]) } : {}),
      ...(r.chance(0.3) ? { template: r.pick(["blank", "bilan", "actions", "kanban"]) } : {}),
    };
  };
  return r.weighted<() => Buffer | null>([
    [3, () => null],
    [6, () => Buffer.from(JSON.stringify(valid()))],
    [3, () => Buffer.from(mutate(r, Buffer.from(JSON.stringify(valid())), []))],
    [1, () => Buffer.from(JSON.stringify(weirdJson(r)))],
    [0.5, () => Buffer.from("{" + '"a":'.repeat(1) + "[".repeat(r.range(10, 5000)))],
    [0.3, () => Buffer.from(JSON.stringify({ title: "x".repeat(70 * 1024) }))],
    [0.5, () => Buffer.from(r.bytes(r.int(200)))],
  ])();
}

function authHeader(ctx: Ctx, r: Rand, method: string, boardId: string): string | null {
  const t = ctx.target.tokens;
  const scratch = ctx.scratch.find((s) => s.boardId === boardId);
  const token = r.weighted<() => string | null>([
    [2, () => null],
    [boardId === ctx.target.boardId ? 5 : 1, () => t.facilitator],
    [2, () => t.projector],
    // Deleting the target would end the run: its coordinator never sends DELETE.
    [method === "DELETE" ? 0 : 2, () => t.coordinator],
    [2, () => ctx.victim.tokens.projector],
    [scratch ? 4 : 0, () => (scratch ? r.pick([scratch.tokens.facilitator, scratch.tokens.coordinator]) : null)],
    [3, () => wrongToken(ctx, r)],
  ])();
  if (token === null) return null;
  return r.weighted<() => string>([
    [10, () => `Bearer ${token}`],
    [1, () => `bearer ${token}`],
    [1, () => `Bearer  ${token}  `],
    [1, () => `Basic ${Buffer.from(`x:${token}`).toString("base64")}`],
    [1, () => `Bearer ${token}, Bearer ${wrongToken(ctx, r)}`],
    [0.5, () => "Bearer " + "x".repeat(r.pick([100, 10_000, 20_000]))],
  ])();
}

export function httpAttempt(ctx: Ctx, r: Rand): HttpAttempt {
  const scratch = ctx.scratch.length > 0 && r.chance(0.2) ? r.pick(ctx.scratch) : null;
  const boardId = r.weighted<() => string>([
    [6, () => ctx.target.boardId],
    [5, () => ctx.victim.boardId],
    [scratch ? 3 : 0, () => scratch!.boardId],
    [1, () => r.pick(["nosuchboard", "a".repeat(32), "a".repeat(33), "UPPER", "..", "%00"])],
  ])();
  const [routePath, routeMethod] = apiRoute(ctx, r, boardId);
  const method = r.chance(0.75)
    ? routeMethod
    : r.weighted([
        [6, "GET"],
        [5, "POST"],
        [3, "PATCH"],
        [1, "DELETE"],
        [1, "PUT"],
        [0.5, "HEAD"],
        [0.5, "OPTIONS"],
        [0.3, "PROPFIND"],
      ]);
  const path = pathMutation(r, routePath);
  const headers: Record<string, string> = {};
  let auth = authHeader(ctx, r, method, boardId);
  // The victim only hears from links that may not change it: never its facilitator or coordinator.
  if (
    auth &&
    boardId === ctx.victim.boardId &&
    (auth.includes(ctx.victim.tokens.coordinator) || auth.includes(ctx.victim.tokens.facilitator))
  )
    auth = null;
  if (auth) headers.Authorization = auth;
  if (r.chance(0.7))
    headers["Content-Type"] = r.pick([
      "application/json",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/json; charset=latin1",
    ]);
  if (r.chance(0.1)) headers["X-Forwarded-For"] = r.pick(["10.0.0.1", "127.0.0.1, 8.8.8.8"]);
  if (r.chance(0.05)) headers.Origin = "http://evil.example";
  return {
    method,
    path,
    headers,
    body:
      method === "GET" || method === "HEAD" ? (r.chance(0.1) ? apiBody(ctx, r, path) : null) : apiBody(ctx, r, path),
  };
}

/**
 * The HTTP API session: one request, sent by node:http or by hand, its status
 * counted (a 5xx is an anomaly), and what a success changed followed, so
 * that later sessions use the rotated links and the boards the run created.
 */
import { request as httpRequest } from "node:http";
import type { Rand } from "./rand.ts";
import { budgetLeft, bump, relayMaybeDown, type Ctx } from "./context.ts";
import { httpAttempt, type HttpAttempt } from "./httpRequests.ts";
import { doRaw, rawAttempt } from "./rawHttp.ts";

function doRequest(ctx: Ctx, a: HttpAttempt): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    let req;
    try {
      const url = new URL(ctx.baseUrl);
      req = httpRequest({
        host: url.hostname,
        port: url.port,
        method: a.method,
        path: a.path,
        headers: a.body ? { ...a.headers, "Content-Length": String(a.body.length) } : a.headers,
        agent: false,
        timeout: 10_000,
      });
    } catch (error) {
      resolve({ error: `client refused: ${(error as Error & { code?: string }).code ?? "?"}` });
      return;
    }
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.length < 64 && chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8").slice(0, 4096) }),
      );
      res.on("error", () => resolve({ status: res.statusCode ?? 0, body: "" }));
    });
    req.on("timeout", () => {
      req.destroy();
      resolve({ error: "timeout" });
    });
    req.on("error", (error: Error & { code?: string }) => resolve({ error: error.code ?? error.message.slice(0, 40) }));
    req.end(a.body ?? undefined);
  });
}

export async function httpSession(ctx: Ctx, r: Rand): Promise<void> {
  if (!budgetLeft(ctx)) return;
  ctx.report.sessions.http++;
  ctx.report.frames.http++;
  if (r.chance(0.25)) {
    const raw = rawAttempt(ctx, r);
    const result = await doRaw(ctx, raw.bytes, raw.expectHang ? 1_500 : 10_000);
    if ("status" in result) {
      bump(ctx.report.httpStatuses, String(result.status));
      if (result.status === 200 || result.status === 201) learnFromApi(ctx, raw.attempt, result.body);
      if (result.status >= 500)
        ctx.report.anomalies.push(
          `raw HTTP (${raw.label}) answered ${result.status}: ${JSON.stringify(raw.bytes.toString("latin1").slice(0, 200))}`,
        );
    } else {
      bump(
        ctx.report.errors,
        `http raw ${result.error}${raw.expectHang && result.error === "timeout" ? " (expected)" : ""}`,
      );
      if (result.error === "ECONNREFUSED" || (result.error === "timeout" && !raw.expectHang)) await relayMaybeDown(ctx);
    }
    return;
  }
  const a = httpAttempt(ctx, r);
  let result = await doRequest(ctx, a);
  if ("error" in result && result.error.startsWith("client refused")) {
    // node:http will not send this method, path or header: write it by hand.
    const head = [`${a.method} ${a.path} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close"];
    for (const [k, v] of Object.entries(a.headers)) head.push(`${k}: ${v}`);
    if (a.body) head.push(`Content-Length: ${a.body.length}`);
    const bytes = Buffer.concat([Buffer.from(head.join("\r\n") + "\r\n\r\n", "utf8"), a.body ?? Buffer.alloc(0)]);
    const raw = await doRaw(ctx, bytes, 10_000);
    result = raw;
  }
  if ("error" in result) {
    bump(ctx.report.errors, `http ${result.error}`);
    if (result.error === "ECONNREFUSED" || result.error === "timeout") await relayMaybeDown(ctx);
    return;
  }
  bump(ctx.report.httpStatuses, String(result.status));
  if (result.status >= 500)
    ctx.report.anomalies.push(
      `${a.method} ${a.path.slice(0, 120)} answered ${result.status}: ${result.body.slice(0, 200)}`,
    );
  if (result.status === 200 || result.status === 201) learnFromApi(ctx, a, result.body);
}

/** Follows what the API changed: rotated links, new boards, deleted scratch boards. */
function learnFromApi(ctx: Ctx, a: HttpAttempt, body: string): void {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return;
  }
  const path = new URL(a.path, "http://x").pathname;
  const rotated = /^\/api\/boards\/([a-z0-9]+)\/links\/([a-z]+)$/.exec(path);
  if (a.method === "POST" && rotated && typeof json.link === "string") {
    const board = [ctx.target, ctx.victim, ...ctx.scratch].find((b) => b.boardId === rotated[1]);
    if (board === ctx.victim)
      ctx.report.anomalies.push(`the victim's ${rotated[2]} link was rotated by ${a.headers.Authorization}`);
    if (!board) return;
    const link = new URL(json.link);
    if (rotated[2] === "participant") board.joinCode = link.pathname.split("/").pop()!;
    else if (rotated[2] === "facilitator" || rotated[2] === "projector" || rotated[2] === "coordinator") {
      ctx.revoked.push(board.tokens[rotated[2]]);
      board.tokens[rotated[2]] = link.hash.replace("#key=", "");
    }
    return;
  }
  if (a.method === "POST" && path === "/api/boards" && typeof json.boardId === "string" && ctx.scratch.length < 20) {
    const links = json.links as Record<string, string>;
    const token = (l: string | undefined) => (l ? new URL(l).hash.replace("#key=", "") : "");
    ctx.scratch.push({
      boardId: json.boardId,
      joinCode: String(json.joinCode),
      tokens: {
        facilitator: token(links.facilitator),
        projector: token(links.projector),
        coordinator: token(links.coordinator),
      },
    });
    return;
  }
  if (a.method === "DELETE" && typeof json.deleted === "string") {
    if (json.deleted === ctx.target.boardId || json.deleted === ctx.victim.boardId)
      ctx.report.anomalies.push(`board ${json.deleted} was deleted`);
    ctx.scratch = ctx.scratch.filter((s) => s.boardId !== json.deleted);
  }
}

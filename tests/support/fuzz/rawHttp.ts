/**
 * HTTP written byte by byte over a TCP socket, for what node:http refuses to
 * send: lying Content-Length, broken chunking, odd methods, request targets
 * such as `//[` (the first bug the fuzzer found), upgrades with such targets.
 * Reading the answer by hand too, since the relay may answer half of one.
 */
import { connect as netConnect } from "node:net";
import type { Rand } from "./rand.ts";
import { bump, type Ctx } from "./context.ts";
import { httpAttempt, type HttpAttempt } from "./httpRequests.ts";

/** A request written byte by byte, for what node:http would not send: lies in framing and odd targets. */
export function rawAttempt(
  ctx: Ctx,
  r: Rand,
): { bytes: Buffer; expectHang: boolean; label: string; attempt: HttpAttempt } {
  const a = httpAttempt(ctx, r);
  const headers = Object.entries(a.headers).map(([k, v]) => `${k}: ${v}`);
  let target = a.path;
  let method = a.method;
  let expectHang = false;
  let body: Buffer = a.body ?? Buffer.alloc(0);
  const shape = r.weighted([
    [3, "plain"],
    [2, "lengthLie"],
    [1, "chunked"],
    [1, "badMethod"],
    [1, "absoluteForm"],
    [1, "hugeHeader"],
    [1, "pipelined"],
    [1, "garbageHeader"],
    [ctx.crashers.invalidRequestTargets ? 3 : 0, "invalidAuthority"],
  ] as const);
  let contentLength: string | null = body.length > 0 ? String(body.length) : null;
  switch (shape) {
    case "plain":
      break;
    case "lengthLie":
      if (r.chance(0.5)) {
        contentLength = String(body.length + r.range(1, 100));
        expectHang = true;
      } else {
        contentLength = String(Math.max(0, body.length - r.range(1, 10)));
      }
      break;
    case "chunked":
      contentLength = null;
      headers.push("Transfer-Encoding: chunked");
      body = Buffer.concat([
        Buffer.from(`${r.chance(0.7) ? body.length.toString(16) : "zz"}\r\n`),
        body,
        Buffer.from(r.chance(0.7) ? "\r\n0\r\n\r\n" : "\r\n"),
      ]);
      expectHang = true;
      break;
    case "badMethod":
      method = r.pick(["get", "G E T", "GETT", "\u0000GET", "CONNECT", "TRACE"]);
      break;
    case "absoluteForm":
      target = `${ctx.baseUrl}${a.path}`;
      break;
    case "hugeHeader":
      headers.push(`X-Big: ${"x".repeat(r.pick([8_000, 20_000, 100_000]))}`);
      break;
    case "pipelined":
      break;
    case "garbageHeader":
      headers.push(r.pick(["X-Bad: a\u0000b", "no colon here", "X-Latin: é", ": empty-name", "X-Fold: a\r\n  b"]));
      break;
    case "invalidAuthority":
      target = r.pick([
        "//[",
        "//[/api/health",
        "//%/api/health",
        `//a:b:c${a.path}`,
        `http://[${a.path}`,
        `//x:99999${a.path}`,
        "//@",
      ]);
      break;
  }
  if (contentLength !== null) headers.push(`Content-Length: ${contentLength}`);
  const head = `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.join("\r\n")}${headers.length ? "\r\n" : ""}Connection: close\r\n\r\n`;
  let bytes = Buffer.concat([Buffer.from(head, "latin1"), body]);
  if (shape === "pipelined") {
    const next = "GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    bytes = Buffer.concat([Buffer.from(head.replace("Connection: close\r\n", ""), "latin1"), body, Buffer.from(next)]);
  }
  return { bytes, expectHang, label: shape, attempt: { ...a, method, path: target } };
}

export type RawResult = { status: number; body: string } | { error: string };

/** Writes bytes to the relay's port and reads the first response (its status and JSON body). */
export function doRaw(ctx: Ctx, bytes: Buffer, timeoutMs: number): Promise<RawResult> {
  return new Promise((resolve) => {
    const url = new URL(ctx.baseUrl);
    const socket = netConnect(Number(url.port), url.hostname);
    let data = Buffer.alloc(0);
    let done = false;
    const parsed = (): { status: number; body: string; complete: boolean } | null => {
      const end = data.indexOf("\r\n\r\n");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data.subarray(0, 16).toString("latin1"));
      if (!m || end < 0) return null;
      const head = data.subarray(0, end).toString("latin1");
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
      const body = data.subarray(end + 4);
      return {
        status: Number(m[1]),
        body: body.subarray(0, Number.isNaN(length) ? body.length : length).toString("utf8"),
        complete: !Number.isNaN(length) && body.length >= length,
      };
    };
    const finish = (result: RawResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(parsed() ?? { error: "timeout" }), timeoutMs);
    socket.on("connect", () => socket.write(bytes));
    socket.on("data", (d: Buffer) => {
      data = Buffer.concat([data, d]);
      const response = parsed();
      if (response?.complete) finish(response);
    });
    socket.on("error", (error: Error & { code?: string }) => finish(parsed() ?? { error: error.code ?? "error" }));
    socket.on("close", () =>
      finish(parsed() ?? (data.length === 0 ? { error: "closed without answer" } : { error: "unparsable answer" })),
    );
  });
}

/** Crashing request targets also crash an upgrade: the upgrade handler parses the URL too. */
export async function invalidUpgrade(ctx: Ctx, r: Rand): Promise<void> {
  ctx.report.frames.http++;
  ctx.report.sessions.http++;
  const target = r.pick(["//[/ws/board/x/room", "http://[/ws/phone/ABCDEF", "//%/ws/phone/ABCDEF"]);
  const bytes = Buffer.from(
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
  );
  const result = await doRaw(ctx, bytes, 3_000);
  bump(ctx.report.errors, `invalid upgrade ${"status" in result ? result.status : result.error}`);
}

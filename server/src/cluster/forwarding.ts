import { request, type IncomingMessage, type ServerResponse } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { timingSafeEqual } from "node:crypto";

/**
 * Several relays, one owner per board (rule D7): a relay that receives a
 * connection or an API call for a board another relay owns passes it on, as
 * bytes, so that stock y-websocket clients see no difference. The owner
 * trusts what a relay says of the client only with the cluster's secret.
 */
export const RELAY_HEADER = "x-atelier-relay";
/** The client's address as the first relay saw it: the owner's per-address limits use it. */
export const CLIENT_HEADER = "x-atelier-client";

/** Whether another relay of this cluster forwarded the request (it is then never forwarded again). */
export function fromRelay(req: IncomingMessage, secret: string | null): boolean {
  const given = req.headers[RELAY_HEADER];
  if (!secret || typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The address limits count: the client's, even through another relay. */
export function clientAddress(req: IncomingMessage, secret: string | null): string {
  const told = req.headers[CLIENT_HEADER];
  if (typeof told === "string" && told.length <= 64 && fromRelay(req, secret)) return told;
  return req.socket.remoteAddress ?? "?";
}

/** The request's headers for the owner: ours replaced, the rest as the client sent them. */
function forwardedHeaders(req: IncomingMessage, secret: string): [string, string][] {
  const headers: [string, string][] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === RELAY_HEADER || name === CLIENT_HEADER) continue;
    headers.push([raw[i]!, raw[i + 1]!]);
  }
  const address = req.socket.remoteAddress ?? "?";
  headers.push([RELAY_HEADER, secret], [CLIENT_HEADER, address]);
  // Forwarded, so never "the relay's own computer" on the owner (see isLocalRequest).
  if (!req.headers["x-forwarded-for"]) headers.push(["X-Forwarded-For", address]);
  return headers;
}

/** Hands an upgrade request and its socket to the owner; bytes then flow both ways untouched. */
export function forwardUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  ownerUrl: string,
  secret: string,
): void {
  const target = new URL(ownerUrl);
  const upstream = connect(Number(target.port || 80), target.hostname);
  upstream.setNoDelay(true);
  const refuse = () => {
    if (!socket.writable) return;
    socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n\r\n");
  };
  upstream.once("error", () => {
    refuse();
    socket.destroy();
  });
  socket.once("error", () => upstream.destroy());
  socket.once("close", () => upstream.destroy());
  upstream.once("close", () => socket.destroy());
  upstream.once("connect", () => {
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (const [name, value] of forwardedHeaders(req, secret)) lines.push(`${name}: ${value}`);
    upstream.write(lines.join("\r\n") + "\r\n\r\n");
    if (head.length > 0) upstream.write(head);
    socket.pipe(upstream);
    upstream.pipe(socket);
  });
}

/** Passes an API request to the owner and its answer back, streamed both ways. */
export function forwardHttp(req: IncomingMessage, res: ServerResponse, ownerUrl: string, secret: string): void {
  const target = new URL(ownerUrl);
  // As a flat list of name-value pairs, the way they came (repeated headers stay repeated).
  const headers = forwardedHeaders(req, secret).flat();
  const upstream = request(
    { host: target.hostname, port: Number(target.port || 80), method: req.method, path: req.url, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", () => {
    if (!res.headersSent) {
      res.writeHead(503, { "Content-Type": "application/json", "Retry-After": "1" });
      res.end(JSON.stringify({ error: "storage_unavailable" }));
    } else res.destroy();
  });
  req.pipe(upstream);
}

import type { ServerResponse } from "node:http";

/**
 * Sent with every response. Tokens live in URLs, so no referrer leaves the
 * page; nothing may be loaded from another origin (docs/THREAT_MODEL.md: no third-party request).
 */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader(
    "Content-Security-Policy",
    [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "font-src 'self' data:",
      "connect-src 'self' data: blob:",
      "worker-src 'self' blob:",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'self'",
    ].join("; "),
  );
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(json),
    "Cache-Control": "no-store",
  });
  res.end(json);
}

/** A download. Images get a sandbox: an SVG opened on its own runs nothing. */
export function sendFile(
  res: ServerResponse,
  file: { contentType: string; body: Uint8Array | string; filename: string },
): void {
  const body = typeof file.body === "string" ? Buffer.from(file.body, "utf8") : Buffer.from(file.body);
  res.writeHead(200, {
    "Content-Type": file.contentType,
    "Content-Length": body.length,
    "Content-Disposition": `attachment; filename="${file.filename.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
  });
  res.end(body);
}

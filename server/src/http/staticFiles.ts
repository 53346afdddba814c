import { createReadStream, existsSync, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wav": "audio/wav",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".webmanifest": "application/manifest+json",
};

/** Client-side pages: the path pattern and the HTML entry vite built for it. */
const PAGES: [RegExp, string][] = [
  [/^\/$/, "index.html"],
  [/^\/new\/?$/, "new.html"],
  [/^\/j\/[A-Za-z0-9]{1,12}\/?$/, "join.html"],
  [/^\/board\/[a-z0-9]{1,32}\/?$/, "board.html"],
  [/^\/screen\/[a-z0-9]{1,32}\/?$/, "board.html"],
  [/^\/archive\/[a-z0-9]{1,32}\/?$/, "archive.html"],
  [/^\/debrief\/[a-z0-9]{1,32}\/?$/, "archive.html"],
  [/^\/admin\/?$/, "admin.html"],
  [/^\/series\/[a-z0-9]{1,32}\/?$/, "series.html"],
];

/** Serves the built client; returns false when the path is not one of its files. */
export function serveStatic(clientDir: string, req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
  } catch {
    return false; // a malformed escape is no file of ours
  }
  const page = PAGES.find(([pattern]) => pattern.test(path));
  const relative = page ? page[1] : path.slice(1);
  const file = normalize(join(clientDir, relative));
  if (!file.startsWith(clientDir + sep) || !existsSync(file) || !statSync(file).isFile()) return false;
  const hashed = relative.startsWith("assets/");
  res.writeHead(200, {
    "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
    "Content-Length": statSync(file).size,
    // Vite fingerprints assets; pages must be revalidated to pick up a new build.
    "Cache-Control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
  });
  if (req.method === "HEAD") res.end();
  else createReadStream(file).pipe(res);
  return true;
}

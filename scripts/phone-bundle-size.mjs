// Sums the gzip size of the JavaScript the phone page loads (its entry and
// every chunk it preloads), from the production build in client/dist.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

export function phoneBundleSize(dist = new URL("../client/dist", import.meta.url).pathname) {
  const html = readFileSync(join(dist, "join.html"), "utf8");
  const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  const files = [...new Set(scripts)].map((path) => {
    const bytes = readFileSync(join(dist, path));
    return { path, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  return { files, gzip: files.reduce((s, f) => s + f.gzip, 0), bytes: files.reduce((s, f) => s + f.bytes, 0) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { files, gzip, bytes } = phoneBundleSize();
  for (const f of files) console.log(`${f.path}  ${f.bytes} B  ${f.gzip} B gzip`);
  console.log(`phone page JavaScript: ${(bytes / 1024).toFixed(1)} kB, ${(gzip / 1024).toFixed(1)} kB gzip`);
}

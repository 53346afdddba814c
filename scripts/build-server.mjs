// Bundles the relay (server/ and shared/) into server/dist, so that `pnpm start`
// runs plain JavaScript instead of compiling TypeScript through the tsx loader
// at every start (slower start, and the loader's memory stays resident).
// The npm dependencies are bundled too (one copy of yjs for everything), except those
// loaded from server/node_modules as they are: better-sqlite3 is native, pg and docx
// load on first use (PostgreSQL, debrief documents).
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const external = ["better-sqlite3", "pg", "docx"];

export async function buildServer() {
  // Chunk names carry a hash: the previous build's would pile up.
  rmSync(join(root, "server/dist/chunks"), { recursive: true, force: true });
  await build({
    entryPoints: { main: join(root, "server/src/main.ts") },
    outdir: join(root, "server/dist"),
    bundle: true,
    platform: "node",
    format: "esm",
    // Dynamic imports (the stemmer, the debrief document, PostgreSQL) become chunks loaded on first use.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    target: "node20",
    // Maps for `node --enable-source-maps` when a stack trace needs the sources' lines, off by
    // default: a relay started with maps on keeps every loaded map in memory (about 5 MiB).
    // Without the sources' text inside: the sources are in the repository.
    sourcemap: "linked",
    sourcesContent: false,
    // V8 keeps every module's source text in memory: without comments and blank space the
    // relay starts 3 to 5 MiB smaller. Names stay, so stack traces still say which function.
    minifyWhitespace: true,
    minifySyntax: true,
    external: external.flatMap((name) => [name, `${name}/*`]),
    // Bundled CommonJS dependencies of shared/ call require(): give ESM output one.
    banner: {
      js: "import { createRequire as __atelierRequire } from 'node:module'; const require = __atelierRequire(import.meta.url);",
    },
    logLevel: "warning",
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildServer();

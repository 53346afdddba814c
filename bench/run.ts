import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as prettier from "prettier";
import { execSync } from "node:child_process";
import { cpus } from "node:os";
import { printTable, type Row } from "./lib.ts";
import { benchPhones } from "./phones.ts";
import { benchStorage } from "./storage.ts";
import { benchFanout } from "./fanout.ts";
import { benchRender } from "./render.ts";
import { benchExports } from "./exports.ts";
import { benchCuration } from "./curation.ts";
import { benchRooms } from "./rooms.ts";
import { benchPostgresStorage } from "./postgres.ts";

/**
 * `pnpm bench`: every benchmark, bounded in time, loopback only. Prints the
 * table and writes docs/BENCHMARKS.md and docs/BENCHMARKS.json.
 */
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);
const rows: Row[] = [];
const started = Date.now();
// The relays measured run the bundle `pnpm start` runs, not the sources through tsx.
execSync("node scripts/build-server.mjs", { cwd: new URL("..", import.meta.url).pathname, stdio: "inherit" });

if (want("phones")) {
  for (const n of [50, 300, 1000]) {
    // 300 and 1,000 phones with the pages' heartbeat off then on, side by side: what it costs the relay.
    for (const heartbeat of n === 50 ? [true] : [false, true]) {
      console.error(`phones: ${n}, heartbeat ${heartbeat ? "on" : "off"}…`);
      rows.push(...(await benchPhones(n, 15_000, n === 1000 ? 10_000 : 5_000, heartbeat)));
    }
  }
}
if (want("postgres")) {
  // SQLite and PostgreSQL side by side in one run: 300 phones through one relay, then two.
  for (const store of ["sqlite", "postgres-1", "postgres-2"] as const) {
    console.error(`phones: 300 on ${store}…`);
    rows.push(...(await benchPhones(300, 15_000, 5_000, true, store)));
  }
  console.error("group commit on PostgreSQL…");
  rows.push(...(await benchPostgresStorage()));
}
if (want("rooms")) {
  console.error("a dozen rooms…");
  rows.push(...(await benchRooms()));
}
if (want("storage")) {
  console.error("storage…");
  rows.push(...(await benchStorage()));
}
if (want("fanout")) {
  console.error("fanout…");
  rows.push(...(await benchFanout()));
}
if (want("render")) {
  console.error("render…");
  rows.push(...(await benchRender()));
}
if (want("curation")) {
  console.error("curation…");
  rows.push(...(await benchCuration()));
}
if (want("exports")) {
  console.error("exports…");
  rows.push(...(await benchExports()));
}

const commit = (() => {
  try {
    return execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
})();
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}`;
const table = printTable(rows);
const header = `# Benchmarks\n\nMachine: ${machine}  \nDate: ${new Date().toISOString()}  \nCommit: ${commit}  \nDuration: ${((Date.now() - started) / 1000).toFixed(0)} s\n\n`;
console.log(table);
if (only.length === 0) {
  // Written as `prettier --check` (part of `pnpm test`) expects them, so a bench run never breaks CI.
  const write = async (name: string, text: string) => {
    const url = new URL(`../docs/${name}`, import.meta.url);
    const options = (await prettier.resolveConfig(fileURLToPath(url))) ?? {};
    writeFileSync(url, await prettier.format(text, { ...options, filepath: fileURLToPath(url) }));
  };
  await write("BENCHMARKS.md", header + table);
  await write(
    "BENCHMARKS.json",
    JSON.stringify({ machine, commit, date: new Date().toISOString(), rows }, null, 2) + "\n",
  );
}
process.exit(0);

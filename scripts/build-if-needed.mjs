// `pnpm start` builds the client and the relay only when their sources are newer than the last build.
import { execSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildServer } from "./build-server.mjs";

const root = new URL("..", import.meta.url).pathname;

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist") continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const builtAt = (file) => (existsSync(join(root, file)) ? statSync(join(root, file)).mtimeMs : 0);
const shared = newest(join(root, "shared/src"));

if (Math.max(newest(join(root, "client")), shared) > builtAt("client/dist/index.html")) {
  console.log("Building the client…");
  execSync("pnpm --filter @atelier/client build", { cwd: root, stdio: "inherit" });
}
if (
  Math.max(newest(join(root, "server/src")), shared, statSync(join(root, "scripts/build-server.mjs")).mtimeMs) >
  builtAt("server/dist/main.js")
) {
  console.log("Building the relay…");
  await buildServer();
}

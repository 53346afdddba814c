import { execSync } from "node:child_process";

/** The end-to-end tests serve the real production build, as `pnpm start` does. */
export default function setup(): void {
  execSync("pnpm --filter @atelier/client build", {
    cwd: new URL("../..", import.meta.url).pathname,
    stdio: "ignore",
  });
}

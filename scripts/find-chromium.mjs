// The end-to-end tests drive Debian's Chromium; never a downloaded browser build.
// Order: $CHROMIUM_PATH, then the usual paths; on Debian as root, install the package.
import { execSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

const candidates = [
  process.env.CHROMIUM_PATH,
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
].filter(Boolean);
const found = () => candidates.find((p) => existsSync(p));

if (!found()) {
  const debian = existsSync("/etc/debian_version");
  const root = process.getuid?.() === 0;
  if (debian && root) {
    console.log("Chromium not found: installing Debian's chromium package…");
    execSync("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null", {
      stdio: "inherit",
      shell: "/bin/bash",
    });
  }
}
const path = found();
if (!path) {
  const hint =
    existsSync("/etc/os-release") && /debian|ubuntu/i.test(readFileSync("/etc/os-release", "utf8"))
      ? "sudo apt-get install chromium"
      : "install Chromium and set CHROMIUM_PATH";
  console.error(`No Chromium found for the end-to-end tests: ${hint}`);
  process.exit(1);
}
console.log(`Chromium: ${path}`);

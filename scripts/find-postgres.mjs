// The PostgreSQL tests start their own server from the machine's binaries; never a download.
// Order: $POSTGRES_BIN, then /usr/lib/postgresql/<version>/bin; on Debian as root, install the package.
import { execSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

function found() {
  const fromEnv = process.env.POSTGRES_BIN;
  if (fromEnv && existsSync(join(fromEnv, "initdb"))) return fromEnv;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const version = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a))[0];
  return version ? join(root, version, "bin") : null;
}

if (!found() && existsSync("/etc/debian_version") && process.getuid?.() === 0) {
  console.log("PostgreSQL not found: installing Debian's postgresql package…");
  execSync("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null", {
    stdio: "inherit",
    shell: "/bin/bash",
  });
}
const bin = found();
if (!bin) {
  console.error("No PostgreSQL found for the storage tests: sudo apt-get install postgresql (or set POSTGRES_BIN)");
  process.exit(1);
}
console.log(`PostgreSQL: ${bin}`);

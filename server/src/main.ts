import { existsSync } from "node:fs";
import { isLoopback } from "@atelier/shared/wire/loopback";
import { configFromEnv } from "./config.ts";
import { startRelay } from "./relay.ts";
import { lanAddresses } from "./publicUrl.ts";

/** `pnpm start`: wires the relay from the environment and prints where to reach it. */
const config = configFromEnv();
if (config.clientDir && !existsSync(config.clientDir)) {
  console.warn(`No built client in ${config.clientDir}: pages will answer 404 (run pnpm build).`);
}
const relay = await startRelay(config);
const port = Number(new URL(relay.localUrl).port);

// Never the whole DATABASE_URL: it may carry a password.
const where = config.databaseUrl
  ? `boards in PostgreSQL at ${new URL(config.databaseUrl).host}${new URL(config.databaseUrl).pathname}, admin secret in ${config.dataDir}`
  : `data in ${config.dataDir}`;
console.log(`Atelier relay listening on port ${port} (${where})`);
console.log(`  On this computer:       http://localhost:${port}/`);
for (const ip of lanAddresses()) console.log(`  On the venue network:   http://${ip}:${port}/`);
console.log(`  Links handed out use:   ${relay.publicUrl}`);
if (!relay.lanReachable) {
  console.warn(
    `  Phones on the venue network cannot reach ${relay.publicUrl}: the relay listens on ${config.host} only.\n` +
      "  Set HOST=0.0.0.0 (every interface) or PUBLIC_URL to an address phones can reach.",
  );
}
console.log(`  New board:              http://localhost:${port}/new`);
console.log(`  Organiser's page:       http://localhost:${port}/admin`);
// Never printed by default: a laptop's screen is often mirrored on the projector while it starts.
console.log(`  Admin secret:           kept in ${relay.admin.file} (owner only); show it with`);
console.log(`                          pnpm atelier admin-secret, change it with pnpm atelier admin-secret --rotate`);
if (relay.admin.created && process.env.PRINT_ADMIN_SECRET === "1") {
  console.log(`  Admin secret (first start, PRINT_ADMIN_SECRET=1): ${relay.adminSecret}`);
}
const publicHost = new URL(relay.publicUrl).hostname;
if (relay.publicUrl.startsWith("https:") && !isLoopback(publicHost) && !config.tldrawLicenseKey) {
  console.warn(
    "WARNING: TLDRAW_LICENSE_KEY is not set and the board is served over https on a non-loopback address:\n" +
      "  tldraw will blank the facilitator's and the projector's canvas after 5 seconds. Set the key (see README).",
  );
}
// Machine-readable line for scripts and tests that start the relay on port 0.
console.log(`ATELIER_READY ${JSON.stringify({ port, publicUrl: relay.publicUrl })}`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void relay.close().then(() => process.exit(0));
  });
}

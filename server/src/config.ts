import { resolve } from "node:path";

export type BoardCreationPolicy = "local-or-secret" | "secret" | "anyone";

export interface RelayConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Base of the links handed out; derived from the first LAN address when unset. */
  publicUrl: string | null;
  boardCreation: BoardCreationPolicy;
  /** A document's log is compacted into one update past this many entries. */
  compactAfter: number;
  /** A board with no connection for this long is compacted and unloaded. */
  idleUnloadMs: number;
  /** While a board changes, an automatic snapshot this often (0 disables). */
  autoSnapshotMs: number;
  tldrawLicenseKey: string;
  /** Directory of the built client; null serves no pages (API and sockets only). */
  clientDir: string | null;
  /** `postgres://…`: boards in PostgreSQL, shared by several relays; null keeps the SQLite file. */
  databaseUrl: string | null;
  /** Where other relays reach this one (forwarded connections); derived from HOST and PORT when unset. */
  relayInternalUrl: string | null;
  /** A relay silent this long may have its boards taken over (PostgreSQL only). */
  ownerLeaseMs: number;
  /** Log where a document update's time goes (server/src/rooms/stageTimings.ts); for benchmarks. */
  stageTimings: boolean;
}

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got "${value}"`);
  return n;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const policy = env.BOARD_CREATION ?? "local-or-secret";
  if (policy !== "local-or-secret" && policy !== "secret" && policy !== "anyone") {
    throw new Error(`BOARD_CREATION must be local-or-secret, secret or anyone, got "${policy}"`);
  }
  return {
    port: int(env.PORT, 8080, "PORT"),
    host: env.HOST || "0.0.0.0",
    dataDir: resolve(env.DATA_DIR || "./data"),
    publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, "") : null,
    boardCreation: policy,
    compactAfter: int(env.COMPACT_AFTER, 500, "COMPACT_AFTER"),
    idleUnloadMs: int(env.IDLE_UNLOAD_MS, 60_000, "IDLE_UNLOAD_MS"),
    autoSnapshotMs: int(env.AUTO_SNAPSHOT_MS, 15 * 60_000, "AUTO_SNAPSHOT_MS"),
    tldrawLicenseKey: env.TLDRAW_LICENSE_KEY ?? "",
    clientDir: resolve(env.CLIENT_DIR || new URL("../../client/dist", import.meta.url).pathname),
    databaseUrl: databaseUrl(env.DATABASE_URL),
    relayInternalUrl: env.RELAY_INTERNAL_URL ? env.RELAY_INTERNAL_URL.replace(/\/+$/, "") : null,
    ownerLeaseMs: Math.max(500, int(env.OWNER_LEASE_MS, 5_000, "OWNER_LEASE_MS")),
    stageTimings: env.ATELIER_STAGE_TIMINGS === "1",
  };
}

function databaseUrl(value: string | undefined): string | null {
  if (!value) return null;
  if (!/^postgres(ql)?:\/\//.test(value)) {
    throw new Error("DATABASE_URL must be a postgres:// or postgresql:// URL (unset it to keep the SQLite file)");
  }
  return value;
}

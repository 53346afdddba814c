import { join } from "node:path";
import { nanoid } from "nanoid";
import type { RelayConfig } from "../config.ts";
import { SqliteStorage } from "./sqliteStorage.ts";
import type { Storage } from "./storage.ts";

/** PostgreSQL when `DATABASE_URL` is set (several relays), else the SQLite file of `DATA_DIR`. */
export async function openStorage(
  config: Pick<RelayConfig, "databaseUrl" | "dataDir" | "ownerLeaseMs">,
  log: (message: string) => void,
): Promise<Storage> {
  if (!config.databaseUrl) return new SqliteStorage(join(config.dataDir, "atelier.sqlite"));
  // Loaded only here: a relay on its SQLite file never holds pg in memory.
  const { PostgresStorage } = await import("./postgresStorage.ts");
  return PostgresStorage.open({
    url: config.databaseUrl,
    // A restarted relay is a new one: what the old process held is its to lose.
    relayId: `relay-${nanoid(12)}`,
    leaseMs: config.ownerLeaseMs,
    log,
  });
}

/** What the storage says when it is unreachable: a transient refusal, never a crash. */
export function isStorageUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    // Node's socket errors, PostgreSQL's connection (08…) and shutdown (57P0…) classes.
    if (/^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|08...|57P0.)$/.test(code)) return true;
  }
  return /Connection terminated|ownership lost|not queryable|storage closed/i.test(error.message);
}

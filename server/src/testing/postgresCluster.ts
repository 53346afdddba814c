import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * A throwaway PostgreSQL server for tests and benchmarks: a fresh cluster
 * in a temporary folder (initdb, pg_ctl), on a free TCP port of loopback,
 * with durable commits as in production (fsync, synchronous_commit). Run as
 * root, the server runs as the `postgres` user, which initdb requires.
 */
export interface PostgresCluster {
  /** Connection URL of a new, empty database on this server. */
  createDatabase(): Promise<string>;
  /** Superuser URL of the `postgres` database (for checks, pg_terminate_backend…). */
  adminUrl: string;
  port: number;
  /** `pg_ctl stop -m immediate`: as a crash, no checkpoint. */
  crash(): void;
  /** Starts it again on the same port and folder (after `crash`). */
  start(): void;
  stop(): void;
}

export function postgresBinDir(): string | null {
  const fromEnv = process.env.POSTGRES_BIN;
  if (fromEnv && existsSync(join(fromEnv, "initdb"))) return fromEnv;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

let databases = 0;

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL not found: install Debian's postgresql package (or set POSTGRES_BIN)");
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "atelier-pg-"));
  if (root) chownSync(dir, uidOf("postgres"), gidOf("postgres"));
  const data = join(dir, "data");
  const run = (cmd: string, args: string[]) => {
    const full = root ? ["-u", "postgres", "--", join(bin, cmd), ...args] : args;
    const result = spawnSync(root ? "runuser" : join(bin, cmd), full, { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`${cmd} failed: ${result.stderr || result.stdout}`);
  };
  run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-instructions"]);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    "-c fsync=on",
    "-c synchronous_commit=on",
    "-c max_connections=200",
  ].join(" ");
  const start = () => run("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "start"]);
  start();
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    adminUrl,
    port,
    async createDatabase() {
      const name = `atelier_${process.pid}_${++databases}`;
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    crash() {
      run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    },
    start,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function uidOf(user: string): number {
  return Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
}

function gidOf(user: string): number {
  return Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim());
}

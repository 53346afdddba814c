import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { startRelay, type Relay } from "@atelier/server/relay";
import { configFromEnv, type RelayConfig } from "@atelier/server/config";
import type { CreateBoardResponse } from "@atelier/shared/wire/boardSchemas";

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), "atelier-test-"));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A real relay in this process, on a free port, with a real SQLite file. */
export async function startTestRelay(overrides: Partial<RelayConfig> = {}): Promise<Relay & { dataDir: string }> {
  const dataDir = overrides.dataDir ?? tempDataDir();
  const config: RelayConfig = {
    ...configFromEnv({}),
    port: 0,
    host: "127.0.0.1",
    dataDir,
    publicUrl: "http://127.0.0.1",
    clientDir: null,
    ...overrides,
  };
  const relay = await startRelay(config, () => undefined);
  return Object.assign(relay, { dataDir });
}

export interface ChildRelay {
  url: string;
  port: number;
  process: ChildProcess;
  /** SIGKILL: no shutdown hook runs, as in a power cut of the process. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

const SERVER_MAIN = new URL("../../server/src/main.ts", import.meta.url).pathname;
/** What `pnpm start` runs: the relay bundled by scripts/build-server.mjs, with the start script's flags. */
const COMPILED_MAIN = new URL("../../server/dist/main.js", import.meta.url).pathname;
const START_FLAGS = startFlags();

/** The node flags of the `start` script, so that benchmarks measure the relay exactly as it runs. */
function startFlags(): string[] {
  const packageJson = new URL("../../package.json", import.meta.url);
  const start: string = JSON.parse(readFileSync(packageJson, "utf8")).scripts.start;
  const flags = /\bnode ((?:--\S+ )*)server\/dist\/main\.js/.exec(start);
  if (!flags) throw new Error(`the start script no longer runs server/dist/main.js: ${start}`);
  return (flags[1] ?? "").trim().split(/\s+/).filter(Boolean);
}

/**
 * The relay as its own process, for crash tests and benchmarks; `compiled`
 * runs the bundle `pnpm start` runs (build it first), otherwise the sources
 * through tsx.
 */
export async function spawnRelay(
  dataDir: string,
  env: Record<string, string> = {},
  port = 0,
  { compiled = false } = {},
): Promise<ChildRelay> {
  // ATELIER_PROFILE_DIR=/some/dir: the relay writes a CPU profile there when it stops (benchmarks).
  const profile = process.env.ATELIER_PROFILE_DIR
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.ATELIER_PROFILE_DIR}`]
    : [];
  const entry = compiled ? [...START_FLAGS, COMPILED_MAIN] : ["--import", "tsx", SERVER_MAIN];
  const child = spawn(process.execPath, [...profile, ...entry], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      CLIENT_DIR: "/nonexistent",
      PUBLIC_URL: "http://127.0.0.1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const ready = await new Promise<{ port: number }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      if (line.startsWith("ATELIER_READY ")) resolve(JSON.parse(line.slice(14)));
      // ATELIER_STAGE_TIMINGS=1 pnpm bench fanout: the relay's breakdown, beside the benchmark's progress.
      else if (line.startsWith("stage timings")) console.error(`relay ${child.pid}: ${line}`);
    });
    child.once("exit", (code) => reject(new Error(`relay exited with ${code}: ${stderr}`)));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url: `http://127.0.0.1:${ready.port}`,
    port: ready.port,
    process: child,
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

export async function createTestBoard(
  baseUrl: string,
  body: Partial<{
    title: string;
    date: string;
    prompts: string[];
    categories: string[];
    moderation: "open" | "controlled";
    template: "blank" | "bilan" | "actions";
  }> = {},
): Promise<CreateBoardResponse & { tokens: Record<"facilitator" | "projector" | "coordinator", string> }> {
  const res = await fetch(`${baseUrl}/api/boards`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      title: "Journée interprofessionnelle",
      date: "2026-11-30",
      prompts: ["Ce que je retiens", "Ce dont j'ai besoin", "Une action à lancer"],
      categories: ["Éducation", "Police", "Santé", "Social", "Associations"],
      ...body,
    }),
  });
  if (res.status !== 201) throw new Error(`create board: ${res.status} ${await res.text()}`);
  const created = (await res.json()) as CreateBoardResponse;
  const token = (link: string) => new URL(link).hash.replace("#key=", "");
  return {
    ...created,
    tokens: {
      facilitator: token(created.links.facilitator),
      projector: token(created.links.projector),
      coordinator: token(created.links.coordinator),
    },
  };
}

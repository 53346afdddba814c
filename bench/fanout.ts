import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { performance } from "node:perf_hooks";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import WebSocket from "ws";
import { boardSocketPath } from "@atelier/shared/wire/syncProtocol";
import { tempDataDir, removeDir, spawnRelay, createTestBoard } from "@atelier/tests/support/relay.ts";
import { percentile, rssMiB, sleep, type Row } from "./lib.ts";

/**
 * Relay fan-out, side by side in the same run: Atelier's relay against the
 * reference server of y-websocket 2.1.0 (`bin/server.cjs`, in memory, no
 * persistence). Each server runs as its own process, started fresh for each
 * round: ROUNDS rounds a side per workload, alternating, latencies pooled, and
 * this process's garbage collected before each round. Every client is a
 * stock y-websocket 3.1.0 WebsocketProvider in this process (so send and
 * receive times share one clock), with presence off (a null awareness
 * state) so that only document updates are measured.
 *
 * Writers set their own key of a Y.Map to a small record carrying the send
 * time, on a fixed schedule; observers note when each record arrives. A
 * warm-up second is sent first and not counted. Throughput is the sum over
 * observers of the updates delivered within DRAIN_MS after the last send,
 * divided by the send window; latency is receive time − send time.
 *
 * Atelier commits each update to SQLite (synchronous=FULL) before
 * broadcasting it (rule D1); the reference keeps everything in memory.
 * Atelier runs as `pnpm start` runs it: the bundle, with its start flags.
 */

const RATE = 20; // updates per second per writer
/** Rounds per server and workload, pooled: one round's stall set the p99 of a whole row. */
const ROUNDS = 2;
const WARMUP_MS = 1_000;
const MEASURE_MS = 8_000;
const DRAIN_MS = 3_000;
const CONNECT_BATCH = 50;
const CONNECT_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const MAP = "bench-fanout";

interface Workload {
  writers: number;
  observers: number;
}

const WORKLOADS: Workload[] = [
  { writers: 1, observers: 5 },
  { writers: 1, observers: 50 },
  { writers: 1, observers: 300 },
  { writers: 5, observers: 50 },
];

/** One server process, ready to take clients. */
interface Server {
  pid: number;
  /** The y-websocket `serverUrl` and room name a client connects with. */
  serverUrl: string;
  roomName: string;
  params: Record<string, string>;
  stop(): Promise<void>;
}

/** One round of one workload against one server. */
interface Round {
  latencies: number[];
  /** The send window, in seconds. */
  windowSeconds: number;
  peakRss: number;
  /** Expected deliveries that had not arrived DRAIN_MS after the last send. */
  missing: number;
  disconnects: number;
}

interface Result {
  /** Updates delivered to observers per second of the send windows. */
  throughput: number;
  p50: number;
  p99: number;
  peakRss: number;
  missing: number;
  disconnects: number;
}

/** The rounds of one server pooled: a stall in one round weighs half as much on p99. */
function pool(rounds: Round[]): Result {
  const latencies = rounds.flatMap((r) => r.latencies);
  return {
    throughput: latencies.length / rounds.reduce((sum, r) => sum + r.windowSeconds, 0),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    peakRss: Math.max(...rounds.map((r) => r.peakRss)),
    missing: rounds.reduce((sum, r) => sum + r.missing, 0),
    disconnects: rounds.reduce((sum, r) => sum + r.disconnects, 0),
  };
}

interface Stamp {
  t: number;
  counted: boolean;
}

async function startAtelier(): Promise<Server> {
  const dataDir = tempDataDir();
  try {
    const relay = await spawnRelay(dataDir, { BOARD_CREATION: "anyone" }, 0, { compiled: true });
    try {
      const board = await createTestBoard(relay.url);
      return {
        pid: relay.process.pid!,
        serverUrl: relay.url.replace(/^http/, "ws") + boardSocketPath(board.boardId),
        roomName: "room",
        params: { token: board.tokens.facilitator },
        async stop() {
          await stopWithin(relay.stop(), () => relay.kill());
          removeDir(dataDir);
        },
      };
    } catch (error) {
      await relay.kill();
      throw error;
    }
  } catch (error) {
    removeDir(dataDir);
    throw error;
  }
}

const REFERENCE_SERVER = join(
  dirname(createRequire(import.meta.url).resolve("y-websocket-ref/package.json")),
  "bin",
  "server.cjs",
);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

/** y-websocket 2.1.0's own server, in its default in-memory mode. */
async function startReference(attempt = 1): Promise<Server> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, HOST: "127.0.0.1", PORT: String(port) };
  delete env.YPERSISTENCE;
  delete env.CALLBACK_URL;
  delete env.GC;
  const child = spawn(process.execPath, [REFERENCE_SERVER], { env, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("reference server did not start in 10 s")), 10_000);
      createInterface({ input: child.stdout! }).on("line", (line) => {
        if (line.startsWith("running at")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`reference server exited with ${code}: ${stderr}`));
      });
    });
  } catch (error) {
    child.kill("SIGKILL");
    await exited;
    // Another process may have taken the port between freePort() and listen().
    if (attempt < 3 && stderr.includes("EADDRINUSE")) return startReference(attempt + 1);
    throw error;
  }
  return {
    pid: child.pid!,
    serverUrl: `ws://127.0.0.1:${port}`,
    roomName: "fanout",
    params: {},
    async stop() {
      child.kill("SIGTERM");
      await stopWithin(exited, async () => {
        child.kill("SIGKILL");
        await exited;
      });
    },
  };
}

async function stopWithin(stopped: Promise<void>, kill: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS)));
  const late = await Promise.race([stopped.then(() => false), timedOut]);
  clearTimeout(timer);
  if (late) await kill();
}

function connect(server: Server) {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(server.serverUrl, server.roomName, doc, {
    params: server.params,
    connect: false,
    // Many providers in one Node process would otherwise talk past the server.
    disableBc: true,
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    maxBackoffTime: 200,
  });
  // No presence: only document updates are measured.
  provider.awareness.setLocalState(null);
  provider.connect();
  let closes = 0;
  provider.on("connection-close", (event) => {
    if (event) closes++;
  });
  return {
    doc,
    provider,
    closes: () => closes,
    synced: () =>
      new Promise<void>((resolve) => {
        if (provider.synced) return resolve();
        provider.once("sync", (s: boolean) => s && resolve());
      }),
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}

type Client = ReturnType<typeof connect>;

async function connectAll(server: Server, count: number, clients: Client[]): Promise<void> {
  const deadline = performance.now() + CONNECT_TIMEOUT_MS;
  for (let i = 0; i < count; i += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, count - i) }, () => connect(server));
    clients.push(...batch);
    const left = deadline - performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), left)));
    const outcome = await Promise.race([Promise.all(batch.map((c) => c.synced())), timedOut]);
    clearTimeout(timer);
    if (outcome === "timeout") throw new Error(`${count} clients did not sync within ${CONNECT_TIMEOUT_MS} ms`);
  }
}

async function run(server: Server, { writers, observers }: Workload): Promise<Round> {
  let peakRss = rssMiB(server.pid);
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, rssMiB(server.pid));
    } catch {
      // The process is gone; its last sample stands.
    }
  }, 200);
  const observerClients: Client[] = [];
  const writerClients: Client[] = [];
  try {
    await connectAll(server, observers, observerClients);
    await connectAll(server, writers, writerClients);

    const latencies: number[] = [];
    for (const observer of observerClients) {
      const map = observer.doc.getMap<Stamp>(MAP);
      map.observe((event) => {
        const now = performance.now();
        for (const key of event.keysChanged) {
          const stamp = map.get(key);
          if (stamp?.counted) latencies.push(now - stamp.t);
        }
      });
    }
    const closesBefore = [...observerClients, ...writerClients].reduce((n, c) => n + c.closes(), 0);

    // A fixed schedule per writer, the writers spread evenly over one interval.
    const interval = 1000 / RATE;
    const warmupSends = Math.round((WARMUP_MS / 1000) * RATE);
    const measuredSends = Math.round((MEASURE_MS / 1000) * RATE);
    const start = performance.now() + 50;
    // Each writer's measured window: first measured send to last, plus one interval.
    const windows = await Promise.all(
      writerClients.map(async (writer, w) => {
        const map = writer.doc.getMap<Stamp>(MAP);
        let first = 0;
        for (let n = 0; n < warmupSends + measuredSends; n++) {
          const due = start + (w / writers) * interval + n * interval;
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
          const counted = n >= warmupSends;
          const t = performance.now();
          if (n === warmupSends) first = t;
          map.set(`w${w}`, { t, counted });
        }
        return performance.now() - first + interval;
      }),
    );
    const expected = writers * measuredSends * observers;
    const drainUntil = performance.now() + DRAIN_MS;
    while (latencies.length < expected && performance.now() < drainUntil) await sleep(20);
    const closesAfter = [...observerClients, ...writerClients].reduce((n, c) => n + c.closes(), 0);
    const windowSeconds = windows.reduce((a, b) => a + b, 0) / windows.length / 1000;
    return {
      latencies,
      windowSeconds,
      peakRss,
      missing: Math.max(0, expected - latencies.length),
      disconnects: closesAfter - closesBefore,
    };
  } finally {
    clearInterval(sampler);
    for (const c of [...writerClients, ...observerClients]) c.destroy();
  }
}

/**
 * This process's garbage, collected before each round: all clients live here, and a full
 * collection in the middle of a round delayed whichever server was being measured.
 */
let gc: (() => void) | null = null;
function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}

async function measure(start: () => Promise<Server>, workload: Workload): Promise<Round> {
  collectGarbage();
  const server = await start();
  try {
    return await run(server, workload);
  } finally {
    await server.stop();
  }
}

const ms = (v: number) => `${v.toFixed(1)} ms`;

export async function benchFanout(): Promise<Row[]> {
  // Each stock provider in Node adds a process "exit" listener.
  const maxListeners = process.getMaxListeners();
  process.setMaxListeners(maxListeners + Math.max(...WORKLOADS.map((w) => w.writers + w.observers)));
  try {
    return await benchWorkloads();
  } finally {
    process.setMaxListeners(maxListeners);
  }
}

async function benchWorkloads(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [i, workload] of WORKLOADS.entries()) {
    const { writers, observers } = workload;
    const label = `${writers} writer${writers > 1 ? "s" : ""} → ${observers} observers, ${RATE} updates/s${writers > 1 ? " each" : ""}`;
    console.error(`fanout: ${label}…`);
    // ROUNDS rounds a side, in the order A R R A (or R A A R), so that drift on a noisy
    // machine favours neither side.
    const rounds: Record<"atelier" | "reference", Round[]> = { atelier: [], reference: [] };
    const starts = { atelier: startAtelier, reference: startReference };
    type Side = keyof typeof rounds;
    const first: Side = i % 2 === 0 ? "atelier" : "reference";
    const second: Side = first === "atelier" ? "reference" : "atelier";
    for (let r = 0; r < ROUNDS; r++) {
      for (const side of r % 2 === 0 ? [first, second] : [second, first]) {
        rounds[side].push(await measure(starts[side], workload));
      }
    }
    const atelier = pool(rounds.atelier);
    const reference = pool(rounds.reference);
    const throughputRatio = atelier.throughput / reference.throughput;
    const p99Ratio = atelier.p99 / reference.p99;
    const p50Ratio = atelier.p50 / reference.p50;
    const rssRatio = atelier.peakRss / reference.peakRss;
    const disconnects = (r: Result) => (r.disconnects > 0 ? ` (${r.disconnects} disconnects)` : "");
    const base = { benchmark: "relay fan-out", workload: label };
    rows.push(
      {
        ...base,
        metric: "updates delivered / s (Atelier / reference)",
        value: `${atelier.throughput.toFixed(0)} / ${reference.throughput.toFixed(0)} = ${throughputRatio.toFixed(2)}×`,
        goal: "≥ 1.00×",
        // Compared as printed: the same offered load, measured over windows a few ms apart.
        met: Number(throughputRatio.toFixed(2)) >= 1,
      },
      {
        ...base,
        metric: "p50 latency (Atelier / reference)",
        value: `${ms(atelier.p50)} / ${ms(reference.p50)} = ${p50Ratio.toFixed(2)}×`,
      },
      {
        ...base,
        metric: "p99 latency (Atelier / reference)",
        value: `${ms(atelier.p99)} / ${ms(reference.p99)} = ${p99Ratio.toFixed(2)}×`,
        goal: "≤ 1.00×",
        met: Number(p99Ratio.toFixed(2)) <= 1,
      },
      {
        ...base,
        metric: `updates not delivered within ${DRAIN_MS / 1000} s (Atelier / reference)`,
        value: `${atelier.missing}${disconnects(atelier)} / ${reference.missing}${disconnects(reference)}`,
      },
      {
        ...base,
        metric: "server RSS peak (Atelier / reference)",
        value: `${atelier.peakRss.toFixed(0)} MiB / ${reference.peakRss.toFixed(0)} MiB = ${rssRatio.toFixed(2)}×`,
        goal: "≤ 1.30×",
        met: Number(rssRatio.toFixed(2)) <= 1.3,
      },
    );
  }
  return rows;
}

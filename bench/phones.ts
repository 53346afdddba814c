import { performance } from "node:perf_hooks";
import { tempDataDir, removeDir, spawnRelay, createTestBoard, type ChildRelay } from "@atelier/tests/support/relay.ts";
import { startCluster } from "@atelier/tests/support/cluster.ts";
import { connectScreen } from "@atelier/tests/support/screens.ts";
import { PhoneClient } from "@atelier/tests/support/phoneClient.ts";
import { seededRandom } from "@atelier/tests/support/random.ts";
import { LIVENESS } from "@atelier/shared/wire/liveness";
import { PHONE_PING_FRAME } from "@atelier/shared/wire/protocol";
import { cpuMs, percentile, rssMiB, sleep, type Row } from "./lib.ts";

/**
 * N simulated phones (real protocol, real sockets) post notes at a
 * realistic pace — one every few seconds each, as a room does right after
 * "à vous !" — while 5 board screens are connected; the relay runs as its
 * own process with synchronous=FULL, so every ack is durable. With
 * PostgreSQL (`store`), one or two relays over a server the benchmark
 * starts (fsync and synchronous_commit on), so every ack is in PostgreSQL.
 *
 * With `heartbeat`, every phone also runs the page's heartbeat (a `ping`
 * after `LIVENESS.pageQuietMs` of silence from the relay); the relay's own
 * liveness sweep runs in both cases.
 */
export async function benchPhones(
  phones: number,
  durationMs: number,
  meanIntervalMs: number,
  heartbeat = true,
  store: Store = "sqlite",
): Promise<Row[]> {
  const target = await openTarget(store);
  // The board's owner: the relay the screens and the first phones reach.
  const relay = target.relays[0]!;
  try {
    const board = await createTestBoard(relay.url);
    const screens = Array.from({ length: 5 }, () => connectScreen(relay.url, board.boardId, board.tokens.facilitator));
    await Promise.all(screens.map((s) => s.synced()));
    const clients: PhoneClient[] = [];
    for (let i = 0; i < phones; i += 50) {
      clients.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(50, phones - i) }, (_, j) =>
            // With two relays, every other phone lands on the one that forwards to the owner.
            PhoneClient.connect(target.relays[(i + j) % target.relays.length]!.url, board.joinCode),
          ),
        )),
      );
    }
    const random = seededRandom(phones);
    const latencies: number[] = [];
    let refused = 0;
    // The page's heartbeat, as client/src/phone/connection.ts runs it: once
    // a second, a ping only after LIVENESS.pageQuietMs without a word from
    // the relay, and not again before the answer could have come.
    // One timer for every simulated page: a thousand timers would tax the
    // bench process, which shares the machine's two cores with the relay.
    let beat: NodeJS.Timeout | undefined;
    let pings = 0;
    if (heartbeat) {
      const pages = clients.map((c) => {
        const page = { ws: c.ws, lastHeard: Date.now(), lastPing: 0 };
        c.ws.on("message", () => (page.lastHeard = Date.now()));
        return page;
      });
      beat = setInterval(() => {
        const now = Date.now();
        for (const page of pages) {
          if (now - page.lastHeard > LIVENESS.pageQuietMs && now - page.lastPing > LIVENESS.pageQuietMs) {
            page.lastPing = now;
            page.ws.send(PHONE_PING_FRAME);
            pings++;
          }
        }
      }, 1_000);
    }
    const pids = target.relays.map((r) => r.process.pid!);
    const cpuOf = () => pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
    const cpuBefore = cpuOf();
    const start = performance.now();
    let peakRss = rssMiB(relay.process.pid!);
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(relay.process.pid!))), 200);
    await Promise.all(
      clients.map(async (client, i) => {
        // Spread the first notes over one interval, then a randomised pace.
        await sleep(random() * meanIntervalMs);
        let n = 0;
        while (performance.now() - start < durationMs) {
          const sent = performance.now();
          const reply = await client.submit({ text: `Note ${n++} du téléphone ${i} : former, repérer, orienter.` });
          if (reply.type === "ack") latencies.push(performance.now() - sent);
          else refused++;
          await sleep(meanIntervalMs * (0.5 + random()));
        }
      }),
    );
    clearInterval(sampler);
    const cpu = cpuOf() - cpuBefore;
    const elapsed = (performance.now() - start) / 1000;
    // Timers first: a ping into a closing socket would throw.
    clearInterval(beat);
    clients.forEach((c) => c.close());
    screens.forEach((s) => s.destroy());
    const workload = `${phones} phones, 5 screens, 1 note / ${meanIntervalMs / 1000} s each, heartbeat ${heartbeat ? "on" : "off"}${STORE_LABEL[store]}`;
    const p99 = percentile(latencies, 99);
    return [
      {
        benchmark: "phone acks",
        workload,
        metric: "ack latency p50",
        value: `${percentile(latencies, 50).toFixed(1)} ms`,
      },
      {
        benchmark: "phone acks",
        workload,
        metric: "ack latency p99",
        value: `${p99.toFixed(1)} ms`,
        goal: phones === 300 ? "≤ 50 ms" : undefined,
        met: phones === 300 ? p99 <= 50 : undefined,
      },
      {
        benchmark: "phone acks",
        workload,
        metric: "notes acknowledged / s",
        value: (latencies.length / elapsed).toFixed(1),
      },
      { benchmark: "phone acks", workload, metric: "notes refused", value: String(refused) },
      { benchmark: "phone acks", workload, metric: "page heartbeat pings / s", value: (pings / elapsed).toFixed(1) },
      { benchmark: "phone acks", workload, metric: "relay RSS peak", value: `${peakRss.toFixed(0)} MiB` },
      {
        benchmark: "phone acks",
        workload,
        metric: "relay CPU per acknowledged note",
        value: `${(cpu / Math.max(1, latencies.length)).toFixed(2)} ms`,
      },
      {
        benchmark: "phone acks",
        workload,
        metric: "relay CPU busy",
        value: `${((cpu / (elapsed * 1000)) * 100).toFixed(0)} %`,
      },
    ];
  } finally {
    await target.stop();
  }
}

/** Where the relays measured keep boards: the SQLite file, or PostgreSQL behind one or two relays. */
export type Store = "sqlite" | "postgres-1" | "postgres-2";

const STORE_LABEL: Record<Store, string> = {
  sqlite: "",
  "postgres-1": ", PostgreSQL, 1 relay",
  "postgres-2": ", PostgreSQL, 2 relays (half the phones forwarded)",
};

async function openTarget(store: Store): Promise<{ relays: ChildRelay[]; stop(): Promise<void> }> {
  if (store === "sqlite") {
    const dataDir = tempDataDir();
    const relay = await spawnRelay(dataDir, { BOARD_CREATION: "anyone" }, 0, { compiled: true });
    return {
      relays: [relay],
      async stop() {
        await relay.stop();
        removeDir(dataDir);
      },
    };
  }
  const cluster = await startCluster({ relays: store === "postgres-1" ? 1 : 2, compiled: true });
  return { relays: cluster.relays, stop: () => cluster.stop() };
}

import { performance } from "node:perf_hooks";
import { tempDataDir, removeDir, spawnRelay, createTestBoard } from "@atelier/tests/support/relay.ts";
import { connectScreen } from "@atelier/tests/support/screens.ts";
import { PhoneClient } from "@atelier/tests/support/phoneClient.ts";
import { seededRandom } from "@atelier/tests/support/random.ts";
import { readNotes } from "@atelier/shared/document/docLayout";
import { cpuMs, percentile, rssMiB, sleep, type Row } from "./lib.ts";

const BOARDS = 12;
const PHONES_PER_BOARD = 300;
const SCREENS_PER_BOARD = 5;
const DURATION_MS = 20_000;
/**
 * One note every 20 s per phone on average, each phone's first note at a random
 * moment of the first 20 s: about 90 notes a second over the relay, every board
 * busy at once (180 a second once every phone is under way).
 */
const MEAN_INTERVAL_MS = 20_000;
const CONNECT_BATCH = 100;

/**
 * A dozen rooms on one relay: 12 boards, each with 300 phones posting and
 * 5 board screens (stock y-websocket clients) receiving, as a department
 * running its days on one machine would. Every board's phones come from
 * their own loopback address (127.0.0.x), as each venue's Wi-Fi would,
 * since the relay bounds the sockets of one address. The relay runs the
 * bundle `pnpm start` runs, as its own process; its CPU time per
 * acknowledged note is what one note costs the machine.
 */
export async function benchRooms(): Promise<Row[]> {
  const dataDir = tempDataDir();
  const relay = await spawnRelay(dataDir, { BOARD_CREATION: "anyone" }, 0, { compiled: true });
  const phones: PhoneClient[][] = [];
  const screens: ReturnType<typeof connectScreen>[][] = [];
  try {
    const boards = [];
    for (let b = 0; b < BOARDS; b++) boards.push(await createTestBoard(relay.url));
    let peakRss = rssMiB(relay.process.pid!);
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(relay.process.pid!))), 200);
    for (const [b, board] of boards.entries()) {
      screens.push(
        Array.from({ length: SCREENS_PER_BOARD }, () =>
          connectScreen(relay.url, board.boardId, board.tokens.facilitator),
        ),
      );
      await Promise.all(screens[b]!.map((s) => s.synced()));
      const own: PhoneClient[] = [];
      for (let i = 0; i < PHONES_PER_BOARD; i += CONNECT_BATCH) {
        own.push(
          ...(await Promise.all(
            Array.from({ length: Math.min(CONNECT_BATCH, PHONES_PER_BOARD - i) }, () =>
              PhoneClient.connect(relay.url, board.joinCode, undefined, { localAddress: `127.0.0.${10 + b}` }),
            ),
          )),
        );
      }
      phones.push(own);
    }

    const random = seededRandom(BOARDS);
    const latencies: number[] = [];
    let refused = 0;
    const cpuBefore = cpuMs(relay.process.pid!);
    const start = performance.now();
    await Promise.all(
      phones.flat().map(async (client, i) => {
        await sleep(random() * MEAN_INTERVAL_MS);
        let n = 0;
        while (performance.now() - start < DURATION_MS) {
          const sent = performance.now();
          const reply = await client.submit({ text: `Note ${n++} du téléphone ${i} : repérer, orienter, suivre.` });
          if (reply.type === "ack") latencies.push(performance.now() - sent);
          else refused++;
          await sleep(MEAN_INTERVAL_MS * (0.5 + random()));
        }
      }),
    );
    const cpu = cpuMs(relay.process.pid!) - cpuBefore;
    const elapsed = (performance.now() - start) / 1000;
    // The screens received what the phones posted: each board's first screen holds as many notes as were acknowledged there.
    await sleep(1_000);
    clearInterval(sampler);
    const shown = screens.reduce((sum, own) => sum + readNotes(own[0]!.doc).length, 0);

    const workload = `${BOARDS} boards × (${PHONES_PER_BOARD} phones + ${SCREENS_PER_BOARD} screens), 1 note / ${MEAN_INTERVAL_MS / 1000} s per phone`;
    const p99 = percentile(latencies, 99);
    const row = (metric: string, value: string, goal?: string, met?: boolean): Row => ({
      benchmark: "a dozen rooms",
      workload,
      metric,
      value,
      ...(goal ? { goal, met } : {}),
    });
    return [
      row("ack latency p50", `${percentile(latencies, 50).toFixed(1)} ms`),
      row("ack latency p99", `${p99.toFixed(1)} ms`, "≤ 50 ms", p99 <= 50),
      row("notes acknowledged / s", (latencies.length / elapsed).toFixed(1)),
      row("notes refused", String(refused), "0", refused === 0),
      row("notes on the boards' screens / acknowledged", `${shown} / ${latencies.length}`),
      row("relay RSS peak", `${peakRss.toFixed(0)} MiB`, "≤ 400 MiB", peakRss <= 400),
      row("relay CPU per acknowledged note", `${(cpu / Math.max(1, latencies.length)).toFixed(2)} ms`),
      row("relay CPU busy", `${((cpu / (elapsed * 1000)) * 100).toFixed(0)} %`),
    ];
  } finally {
    for (const client of phones.flat()) client.close();
    for (const screen of screens.flat()) screen.destroy();
    await relay.stop();
    removeDir(dataDir);
  }
}

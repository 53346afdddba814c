import * as Y from "yjs";
import { readNotes } from "@atelier/shared/document/docLayout";
import { spawnRelay, createTestBoard, type ChildRelay } from "./relay.ts";
import { connectScreen, waitFor } from "./screens.ts";
import { PhoneClient } from "./phoneClient.ts";
import { seededRandom } from "./random.ts";

export interface CrashReport {
  kills: number;
  confirmedChanges: number;
  acknowledgedNotes: number;
  /** Notes acknowledged when each kill struck: proof the kills fell mid-burst. */
  ackedAtKills: number[];
  lost: string[];
  duplicated: string[];
}

async function readRoom(url: string, boardId: string, token: string): Promise<Y.Doc> {
  const screen = connectScreen(url, boardId, token);
  await screen.synced();
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(screen.doc));
  screen.destroy();
  return copy;
}

/**
 * Facilitator A edits, facilitator B watches; the relay is SIGKILLed right
 * after B has received A's change, at seeded random moments. Every change B
 * saw must be there after the restart.
 */
export async function screenCrashLoop(dataDir: string, seed: number, kills: number): Promise<CrashReport> {
  const random = seededRandom(seed);
  let relay: ChildRelay = await spawnRelay(dataDir);
  const board = await createTestBoard(relay.url);
  const seen: string[] = [];
  for (let k = 0; k < kills; k++) {
    const a = connectScreen(relay.url, board.boardId, board.tokens.facilitator);
    const b = connectScreen(relay.url, board.boardId, board.tokens.facilitator);
    await Promise.all([a.synced(), b.synced()]);
    const changes = 1 + Math.floor(random() * 5);
    for (let i = 0; i < changes; i++) {
      const key = `k${k}-${i}`;
      a.doc.getMap("canvas-test").set(key, { x: random() });
      await waitFor(() => b.doc.getMap("canvas-test").has(key), 10_000, `B to see ${key}`);
      seen.push(key);
    }
    await relay.kill();
    a.destroy();
    b.destroy();
    relay = await spawnRelay(dataDir, {}, relay.port);
  }
  const doc = await readRoom(relay.url, board.boardId, board.tokens.facilitator);
  await relay.stop();
  const map = doc.getMap("canvas-test");
  return {
    kills,
    confirmedChanges: seen.length,
    acknowledgedNotes: 0,
    ackedAtKills: [],
    lost: seen.filter((key) => !map.has(key)),
    duplicated: [],
  };
}

/**
 * `phones` simulated phones post in a burst; the relay is SIGKILLed mid-burst.
 * After restart each phone resends what was not acknowledged (same ids).
 * Every acknowledged note must be there, and every note exactly once.
 */
export async function phoneCrashLoop(
  dataDir: string,
  seed: number,
  kills: number,
  phones: number,
  notesPerPhone: number,
): Promise<CrashReport> {
  const random = seededRandom(seed);
  let relay: ChildRelay = await spawnRelay(dataDir, { BOARD_CREATION: "anyone" });
  const board = await createTestBoard(relay.url);
  const acked = new Set<string>();
  const all: { participant: string; id: string; text: string }[] = [];
  for (let p = 0; p < phones; p++) {
    const participant = `participant-${seed}-${p}`;
    for (let n = 0; n < notesPerPhone; n++) {
      all.push({ participant, id: `note-${seed}-${p}-${n}`, text: `Note ${n} du téléphone ${p}` });
    }
  }
  const byParticipant = new Map<string, typeof all>();
  for (const note of all) byParticipant.set(note.participant, [...(byParticipant.get(note.participant) ?? []), note]);

  async function burst(killAfterMs: number | null): Promise<void> {
    const clients = await Promise.all(
      [...byParticipant.keys()].map((participant) => PhoneClient.connect(relay.url, board.joinCode, participant)),
    );
    // Strike mid-burst whatever the machine's speed: after the first new ack, then a seeded delay.
    const ackedBefore = acked.size;
    const killer =
      killAfterMs === null
        ? null
        : waitFor(() => acked.size > ackedBefore, 30_000, "a first acknowledgement")
            .then(() => new Promise<void>((r) => setTimeout(r, killAfterMs)))
            .then(() => relay.kill());
    await Promise.all(
      clients.map(async (client) => {
        for (const note of byParticipant.get(client.participant)!) {
          if (acked.has(note.id)) continue;
          const reply = await client.request({
            type: "submit",
            id: note.id,
            text: note.text,
            prompt: "p1",
            category: "c1",
            author: "",
          });
          if (reply.type === "ack") acked.add(note.id);
          else if (reply.type === "refused" && reply.reason === "rate_limited")
            await new Promise((r) => setTimeout(r, reply.retryAfterMs ?? 100));
          else return; // the relay died: this phone keeps its outbox for later
        }
      }),
    );
    await killer;
    for (const c of clients) c.close();
  }

  const ackedAtKills: number[] = [];
  for (let k = 0; k < kills; k++) {
    await burst(Math.floor(random() * 40));
    ackedAtKills.push(acked.size);
    relay = await spawnRelay(dataDir, { BOARD_CREATION: "anyone" }, relay.port);
  }
  // Back online for good: every phone resends its outbox until all is acknowledged.
  while (acked.size < all.length) await burst(null);

  const doc = await readRoom(relay.url, board.boardId, board.tokens.facilitator);
  await relay.stop();
  const notes = readNotes(doc);
  const counts = new Map<string, number>();
  for (const n of notes) counts.set(n.id, (counts.get(n.id) ?? 0) + 1);
  return {
    kills,
    confirmedChanges: 0,
    acknowledgedNotes: acked.size,
    ackedAtKills,
    lost: all.filter((n) => !counts.has(n.id)).map((n) => n.id),
    duplicated:
      notes.length !== counts.size || notes.length !== all.length
        ? [`${notes.length} notes for ${all.length} ids`]
        : [],
  };
}

/**
 * The long harness: each round, `phones` phones post while facilitator A
 * edits and B watches; the relay is SIGKILLed at a seeded random moment and
 * restarted. After every restart, every acknowledged note and every change
 * B had received must be there. Unacknowledged notes are resent (same ids)
 * in the next round and must land once.
 */
export async function combinedCrashLoop(
  dataDir: string,
  seed: number,
  kills: number,
  phones: number,
  notesPerPhone: number,
  onRound: (round: number, acked: number) => void = () => undefined,
): Promise<CrashReport> {
  const random = seededRandom(seed);
  let relay: ChildRelay = await spawnRelay(dataDir, { BOARD_CREATION: "anyone" });
  const board = await createTestBoard(relay.url);
  const acked = new Set<string>();
  const seen: string[] = [];
  const lost: string[] = [];
  const pending: { participant: string; id: string; text: string }[] = [];
  for (let round = 0; round < kills; round++) {
    for (let p = 0; p < phones; p++) {
      for (let n = 0; n < notesPerPhone; n++) {
        pending.push({
          participant: `participant-${seed}-r${round}-p${p}`,
          id: `note-${seed}-${round}-${p}-${n}`,
          text: `Note ${n}, téléphone ${p}, tour ${round}`,
        });
      }
    }
    const byParticipant = new Map<string, typeof pending>();
    for (const note of pending.splice(0))
      byParticipant.set(note.participant, [...(byParticipant.get(note.participant) ?? []), note]);
    const a = connectScreen(relay.url, board.boardId, board.tokens.facilitator);
    const b = connectScreen(relay.url, board.boardId, board.tokens.facilitator);
    await Promise.all([a.synced(), b.synced()]);
    const clients = await Promise.all(
      [...byParticipant.keys()].map((participant) =>
        PhoneClient.connect(relay.url, board.joinCode, participant).catch(() => null),
      ),
    );
    let editing = true;
    const edits = (async () => {
      for (let i = 0; editing; i++) {
        const key = `r${round}-e${i}`;
        a.doc.getMap("canvas-test").set(key, { x: random() });
        const deadline = Date.now() + 2000;
        while (editing && !b.doc.getMap("canvas-test").has(key) && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 2));
        if (b.doc.getMap("canvas-test").has(key)) seen.push(key);
      }
    })();
    const killer = new Promise<void>((r) => setTimeout(r, 30 + random() * 400)).then(() => relay.kill());
    await Promise.all(
      clients.map(async (client) => {
        if (!client) return;
        for (const note of byParticipant.get(client.participant)!) {
          const reply = await client.request({
            type: "submit",
            id: note.id,
            text: note.text,
            prompt: "p1",
            category: "",
            author: "",
          });
          if (reply.type === "ack") acked.add(note.id);
        }
      }),
    );
    await killer;
    editing = false;
    await edits;
    clients.forEach((c) => c?.close());
    a.destroy();
    b.destroy();
    for (const notes of byParticipant.values()) pending.push(...notes.filter((n) => !acked.has(n.id)));
    relay = await spawnRelay(dataDir, { BOARD_CREATION: "anyone" }, relay.port);
    const doc = await readRoom(relay.url, board.boardId, board.tokens.facilitator);
    const stored = new Set(readNotes(doc).map((n) => n.id));
    for (const id of acked) if (!stored.has(id)) lost.push(id);
    for (const key of seen) if (!doc.getMap("canvas-test").has(key)) lost.push(key);
    onRound(round, acked.size);
  }
  // Back to normal: resend what was never acknowledged.
  while (pending.length > 0) {
    const note = pending.shift()!;
    const client = await PhoneClient.connect(relay.url, board.joinCode, note.participant);
    const reply = await client.request({
      type: "submit",
      id: note.id,
      text: note.text,
      prompt: "p1",
      category: "",
      author: "",
    });
    client.close();
    if (reply.type === "ack") acked.add(note.id);
    else if (reply.type === "refused" && reply.reason === "rate_limited") pending.push(note);
  }
  const doc = await readRoom(relay.url, board.boardId, board.tokens.facilitator);
  await relay.stop();
  const notes = readNotes(doc);
  const ids = new Set(notes.map((n) => n.id));
  return {
    kills,
    confirmedChanges: seen.length,
    acknowledgedNotes: acked.size,
    ackedAtKills: [],
    lost,
    duplicated:
      notes.length !== ids.size || ids.size !== acked.size
        ? [`${notes.length} notes, ${ids.size} ids, ${acked.size} acknowledged`]
        : [],
  };
}

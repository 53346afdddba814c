import * as Y from "yjs";
import { readNotes } from "@atelier/shared/document/docLayout";
import { createTestBoard } from "./relay.ts";
import { connectScreen, waitFor } from "./screens.ts";
import { PhoneClient } from "./phoneClient.ts";
import { seededRandom } from "./random.ts";
import type { TestCluster } from "./cluster.ts";

export interface PlannedNote {
  participant: string;
  id: string;
  text: string;
}

/**
 * A phone as the page behaves: it posts its outbox one note at a time,
 * and when the relay goes away it reconnects (through the balancer, so to
 * any relay) and resends what was not acknowledged, with the same ids.
 */
export async function postUntilAcked(
  url: string,
  joinCode: string,
  notes: PlannedNote[],
  acked: Map<string, number>,
  { deadlineMs = 60_000 } = {},
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  const participant = notes[0]?.participant;
  while (notes.some((n) => !acked.has(n.id))) {
    if (Date.now() > deadline) throw new Error(`${participant}: notes still unacknowledged at the deadline`);
    let phone: PhoneClient;
    try {
      phone = await PhoneClient.connect(url, joinCode, participant);
      if (!phone.welcome) throw new Error("no welcome");
    } catch {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    for (const note of notes) {
      if (acked.has(note.id)) continue;
      const reply = await phone.request({
        type: "submit",
        id: note.id,
        text: note.text,
        prompt: "p1",
        category: "c1",
        author: "",
      });
      if (reply.type === "ack") acked.set(note.id, acked.get(note.id) ?? 0);
      else if (reply.type === "refused" && reply.reason === "rate_limited")
        await new Promise((r) => setTimeout(r, reply.retryAfterMs ?? 100));
      else if (reply.type === "refused" && reply.reason !== "storage_unavailable")
        throw new Error(`${participant}: note refused (${reply.reason})`);
      else break; // relay gone or storage away: reconnect and resend
    }
    phone.close();
    // Every "sent" this phone was told, counted from what it received, not from its own requests:
    // a relay acknowledging one note twice shows here.
    for (const message of phone.messages)
      if (message.type === "ack" && message.op === "submit") acked.set(message.id, (acked.get(message.id) ?? 0) + 1);
  }
}

export interface FailoverReport {
  kills: number;
  /** Which relay was killed each time (the board's owner then). */
  killed: number[];
  acknowledged: number;
  /** Acknowledgements of a note id after the first (a phone told "sent" twice for one note). */
  ackedTwice: number;
  lost: string[];
  /** Notes stored more than once: each planned text is unique, so a text seen twice is a note written twice, whatever its id. */
  duplicated: number;
  /** Per kill: from the SIGKILL until both screens hold every note acknowledged before it, and one after. */
  resyncMs: number[];
}

/**
 * Acceptance of several relays (docs/DEPLOY.md): phones post through the
 * balancer while a facilitator and a projector watch through it; the
 * board's owner is SIGKILLed at a seeded moment after the round's first
 * acknowledgement, then started again. The owner alternates by itself (the
 * survivor takes the board). Every acknowledged note must be on the board
 * once, and both screens must hold them again within seconds.
 */
export async function failoverLoop(
  cluster: TestCluster,
  { kills, phones, notesPerRound, seed }: { kills: number; phones: number; notesPerRound: number; seed: number },
): Promise<FailoverReport> {
  const random = seededRandom(seed);
  const url = cluster.balancer.url;
  const board = await createTestBoard(url);
  const facilitator = connectScreen(url, board.boardId, board.tokens.facilitator);
  const projector = connectScreen(url, board.boardId, board.tokens.projector);
  await Promise.all([facilitator.synced(), projector.synced()]);
  const acked = new Map<string, number>();
  const planned: PlannedNote[] = [];
  const killed: number[] = [];
  const resyncMs: number[] = [];
  const onScreen = (doc: Y.Doc) => new Set(readNotes(doc).map((n) => n.id));

  for (let k = 0; k < kills; k++) {
    const round: PlannedNote[][] = [];
    for (let p = 0; p < phones; p++) {
      const notes = Array.from({ length: notesPerRound }, (_, n) => ({
        participant: `participant-${seed}-${p}`,
        id: `note-${seed}-${k}-${p}-${n}`,
        text: `Tour ${k}, téléphone ${p}, note ${n}`,
      }));
      planned.push(...notes);
      round.push(notes);
    }
    const before = acked.size;
    const posting = Promise.all(round.map((notes) => postUntilAcked(url, board.joinCode, notes, acked)));
    await waitFor(() => acked.size > before, 30_000, "a first acknowledgement of the round");
    await new Promise((r) => setTimeout(r, Math.floor(random() * 300)));
    const owner = await cluster.ownerOf(board.boardId);
    if (owner < 0) throw new Error("no owner recorded for the board");
    const ackedAtKill = [...acked.keys()];
    await cluster.relays[owner]!.kill();
    const killedAt = Date.now();
    killed.push(owner);
    const restarting = cluster.restart(owner);
    // Back in sync: a probe note posted after the kill reaches both screens (so they are
    // connected again, to the new owner), and they hold what was acknowledged before it.
    const probe = { participant: `prober-phone-${seed}-${k}`, id: `probe-note-${seed}-${k}`, text: `Sonde ${k}` };
    planned.push(probe);
    const probing = postUntilAcked(url, board.joinCode, [probe], acked);
    await waitFor(
      () => {
        const f = onScreen(facilitator.doc);
        const s = onScreen(projector.doc);
        return [probe.id, ...ackedAtKill].every((id) => f.has(id) && s.has(id));
      },
      30_000,
      "both screens to hold every note acknowledged before the kill and the probe",
    ).catch((error: Error) => {
      const f = onScreen(facilitator.doc);
      const p = onScreen(projector.doc);
      const missing = (seen: Set<string>) => [probe.id, ...ackedAtKill].filter((id) => !seen.has(id)).length;
      throw new Error(
        `${error.message} (kill ${k}: probe ${acked.has(probe.id) ? "acknowledged" : "not acknowledged"}; ` +
          `missing on the facilitator ${missing(f)}, on the projector ${missing(p)}; ` +
          `connected ${facilitator.provider.wsconnected}/${projector.provider.wsconnected})`,
      );
    });
    await probing;
    resyncMs.push(Date.now() - killedAt);
    await Promise.all([posting, restarting]);
  }
  // Both screens end with the whole board.
  await waitFor(
    () => planned.every((n) => onScreen(facilitator.doc).has(n.id) && onScreen(projector.doc).has(n.id)),
    30_000,
    "both screens to hold every note",
  );
  const reader = connectScreen(url, board.boardId, board.tokens.facilitator);
  await reader.synced();
  const notes = readNotes(reader.doc);
  reader.destroy();
  facilitator.destroy();
  projector.destroy();
  const ids = new Set(notes.map((n) => n.id));
  return {
    kills,
    killed,
    acknowledged: acked.size,
    ackedTwice: [...acked.values()].filter((n) => n > 1).reduce((sum, n) => sum + n - 1, 0),
    lost: planned.filter((n) => acked.has(n.id) && !ids.has(n.id)).map((n) => n.id),
    duplicated: notes.length - new Set(notes.map((n) => n.text)).size,
    resyncMs,
  };
}

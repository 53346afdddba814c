import type * as Y from "yjs";
import { readNotes, readSettings, ROOM, voteTotalsHidden } from "@atelier/shared/document/docLayout";
import { canvasRecords, readThemes } from "@atelier/shared/document/canvas";
import { Origin } from "@atelier/shared/document/origins";
import { phaseAllows, RefusalReason, type VoteBallot } from "@atelier/shared/wire/protocol";
import type { Room } from "../rooms/room.ts";
import { accept, refuse, type Result } from "../rooms/result.ts";

/**
 * Dot voting and the "I'm done" signal. Each participant's dots are kept by
 * the relay in the room's ledger, out of every document (votes stay
 * anonymous); the documents hold only totals, and while an open vote hides
 * them (`voteTotalsHidden`) not even those: only how many have voted. The
 * budget is enforced here, whatever the phone sends.
 */
export function voteTargets(room: Room): VoteBallot["targets"] {
  const { vote } = readSettings(room.docs.room);
  if (vote.target === "themes") {
    return readThemes(canvasRecords(room.docs.room)).map((t) => ({ id: t.id, label: t.title }));
  }
  return readNotes(room.docs.room).map((n) => ({ id: n.id, label: n.text }));
}

export function ballotFor(room: Room, participantHash: string | null): VoteBallot {
  const { phase, vote } = readSettings(room.docs.room);
  const open = phase === "vote" && vote.open;
  const mine = participantHash ? room.ledger.votesOf(participantHash) : new Map<string, number>();
  return { targets: open ? voteTargets(room) : [], mine: Object.fromEntries(mine) };
}

export async function castVote(
  room: Room,
  participantHash: string,
  target: string,
  delta: 1 | -1,
): Promise<Result<VoteBallot>> {
  if (room.unusable) return refuse(RefusalReason.StorageUnavailable);
  const { phase, vote } = readSettings(room.docs.room);
  if (!phaseAllows(phase, "vote")) return refuse(RefusalReason.PhaseForbids);
  if (!vote.open) return refuse(RefusalReason.VoteClosed);
  if (!voteTargets(room).some((t) => t.id === target)) return refuse(RefusalReason.UnknownTarget);
  const mine = room.ledger.votesOf(participantHash);
  const current = mine.get(target) ?? 0;
  const spent = [...mine.values()].reduce((a, b) => a + b, 0);
  if (delta === 1 && spent >= vote.dots) return refuse(RefusalReason.NoDotsLeft);
  if (delta === -1 && current === 0) return accept(ballotFor(room, participantHash));

  // The participant's row and the document's total commit together.
  const committed = await room.commit({
    rows: [{ type: "vote", participantHash, targetId: target, count: current + delta }],
    edit: (docs) => docs.room.transact(() => writeVoteTotals(docs.room, room.ledger), Origin.phone),
  });
  return committed.ok ? accept(ballotFor(room, participantHash)) : committed;
}

type VoteLedger = Pick<Room["ledger"], "voteTotals" | "voterCount">;

/**
 * Makes the room document's totals what the ledger says, or none while they
 * are hidden, and its count of voters current. Writes only what differs, so
 * it costs nothing when run again; deleted totals leave no value behind
 * (the relay's documents collect deleted content), so a projector that
 * syncs later receives none.
 */
export function writeVoteTotals(doc: Y.Doc, ledger: VoteLedger): void {
  const totals = doc.getMap<number>(ROOM.votes);
  const wanted = voteTotalsHidden(readSettings(doc)) ? new Map<string, number>() : ledger.voteTotals();
  for (const target of [...totals.keys()]) if (!wanted.has(target)) totals.delete(target);
  for (const [target, count] of wanted) if (totals.get(target) !== count) totals.set(target, count);
  const signals = doc.getMap<number>(ROOM.signals);
  if (signals.get("voters") !== ledger.voterCount()) signals.set("voters", ledger.voterCount());
}

function voteTotalsInStep(doc: Y.Doc, ledger: VoteLedger): boolean {
  const totals = doc.getMap<number>(ROOM.votes);
  const wanted = voteTotalsHidden(readSettings(doc)) ? new Map<string, number>() : ledger.voteTotals();
  if (totals.size !== wanted.size) return false;
  for (const [target, count] of wanted) if (totals.get(target) !== count) return false;
  return doc.getMap<number>(ROOM.signals).get("voters") === ledger.voterCount() || ledger.voterCount() === 0;
}

/**
 * Settings reach the room document through the API and, since a
 * facilitator's screen may write them, through its updates too: whichever
 * way a vote closes (or its totals are hidden), the relay then reveals or
 * removes the totals in a commit of its own. Also run once at load.
 */
export function keepVoteTotalsInStep(room: Room): void {
  let scheduled = false;
  const check = () => {
    scheduled = false;
    if (room.unusable || voteTotalsInStep(room.docs.room, room.ledger)) return;
    void room.commit({
      edit: (docs) => docs.room.transact(() => writeVoteTotals(docs.room, room.ledger), Origin.facilitator),
    });
  };
  room.docs.room.getMap(ROOM.settings).observe(() => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(check);
  });
  check();
}

export async function markDone(room: Room, participantHash: string): Promise<Result> {
  if (room.unusable) return refuse(RefusalReason.StorageUnavailable);
  if (!phaseAllows(readSettings(room.docs.room).phase, "done")) return refuse(RefusalReason.PhaseForbids);
  if (room.ledger.hasFlag(participantHash, "done")) return accept(undefined);
  return room.commit({
    rows: [{ type: "flag", participantHash, flag: "done" }],
    // After the row: the ledger already counts this participant.
    edit: (docs) =>
      docs.room.transact(
        () => docs.room.getMap<number>(ROOM.signals).set("done", room.ledger.flagCount("done")),
        Origin.phone,
      ),
  });
}

export function isDone(room: Room, participantHash: string): boolean {
  return room.ledger.hasFlag(participantHash, "done");
}

import { readNotes, readSettings, ROOM } from "@atelier/shared/document/docLayout";
import { canvasRecords, readThemes } from "@atelier/shared/document/canvas";
import { Origin } from "@atelier/shared/document/origins";
import { phaseAllows, RefusalReason, type VoteBallot } from "@atelier/shared/wire/protocol";
import type { Room } from "../rooms/room.ts";
import { accept, refuse, type Result } from "../rooms/result.ts";

/**
 * Dot voting and the "I'm done" signal. Each participant's dots are kept by
 * the relay in the room's ledger, out of every document (votes stay
 * anonymous); the documents hold only totals. The budget is enforced here,
 * whatever the phone sends.
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
    edit: (docs) => {
      const totals = docs.room.getMap<number>(ROOM.votes);
      docs.room.transact(() => totals.set(target, (totals.get(target) ?? 0) + delta), Origin.phone);
    },
  });
  return committed.ok ? accept(ballotFor(room, participantHash)) : committed;
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

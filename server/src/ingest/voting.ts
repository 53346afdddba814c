import { readNotes, readSettings, ROOM } from "@atelier/shared/document/docLayout";
import { canvasRecords, readThemes } from "@atelier/shared/document/canvas";
import { Origin } from "@atelier/shared/document/origins";
import { phaseAllows, RefusalReason, type VoteBallot } from "@atelier/shared/wire/protocol";
import type { Room } from "../rooms/rooms.ts";
import type { Storage } from "../storage/storage.ts";

/**
 * Dot voting and the "I'm done" signal. Each participant's dots are kept by
 * the relay, out of every document (votes stay anonymous); the documents
 * hold only totals. The budget is enforced here, whatever the phone sends.
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
  const mine = participantHash ? room.participants.votes.get(participantHash) : undefined;
  return { targets: open ? voteTargets(room) : [], mine: Object.fromEntries(mine ?? []) };
}

export type VoteResult = { ok: true; ballot: VoteBallot } | { ok: false; reason: RefusalReason };

async function committed(storage: Storage, room: Room): Promise<boolean> {
  try {
    await storage.whenCommitted();
    return !room.unusable;
  } catch {
    return false;
  }
}

export async function castVote(
  storage: Storage,
  room: Room,
  participantHash: string,
  target: string,
  delta: 1 | -1,
): Promise<VoteResult> {
  if (room.unusable) return { ok: false, reason: RefusalReason.StorageUnavailable };
  const { phase, vote } = readSettings(room.docs.room);
  if (!phaseAllows(phase, "vote")) return { ok: false, reason: RefusalReason.PhaseForbids };
  if (!vote.open) return { ok: false, reason: RefusalReason.VoteClosed };
  if (!voteTargets(room).some((t) => t.id === target)) return { ok: false, reason: RefusalReason.UnknownTarget };
  const mine = room.participants.votes.get(participantHash) ?? new Map<string, number>();
  const current = mine.get(target) ?? 0;
  const spent = [...mine.values()].reduce((a, b) => a + b, 0);
  if (delta === 1 && spent >= vote.dots) return { ok: false, reason: RefusalReason.NoDotsLeft };
  if (delta === -1 && current === 0) return { ok: true, ballot: ballotFor(room, participantHash) };

  mine.set(target, current + delta);
  room.participants.votes.set(participantHash, mine);
  // Same tick: the participant's row and the document's total commit together.
  void storage
    .enqueue({ type: "vote", boardId: room.boardId, participantHash, targetId: target, count: current + delta })
    .catch(() => undefined);
  const totals = room.docs.room.getMap<number>(ROOM.votes);
  room.docs.room.transact(() => totals.set(target, (totals.get(target) ?? 0) + delta), Origin.phone);
  if (!(await committed(storage, room))) return { ok: false, reason: RefusalReason.StorageUnavailable };
  return { ok: true, ballot: ballotFor(room, participantHash) };
}

export async function markDone(storage: Storage, room: Room, participantHash: string): Promise<RefusalReason | null> {
  if (room.unusable) return RefusalReason.StorageUnavailable;
  if (!phaseAllows(readSettings(room.docs.room).phase, "done")) return RefusalReason.PhaseForbids;
  const done = room.participants.flags.get("done") ?? new Set<string>();
  room.participants.flags.set("done", done);
  if (done.has(participantHash)) return null;
  done.add(participantHash);
  void storage.enqueue({ type: "flag", boardId: room.boardId, participantHash, flag: "done" }).catch(() => undefined);
  room.docs.room.transact(() => room.docs.room.getMap<number>(ROOM.signals).set("done", done.size), Origin.phone);
  return (await committed(storage, room)) ? null : RefusalReason.StorageUnavailable;
}

export function isDone(room: Room, participantHash: string): boolean {
  return room.participants.flags.get("done")?.has(participantHash) ?? false;
}

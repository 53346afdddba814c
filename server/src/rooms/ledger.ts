import type { ParticipantRow, ParticipantState } from "../storage/storage.ts";

/**
 * What the relay knows about participants and keeps out of every document,
 * so that the room never learns who wrote or voted what: which participant
 * wrote which note, their dots per target, and flags such as "done".
 *
 * It changes only through `apply`, with the same rows the storage writes,
 * so memory and disk cannot tell different stories.
 */
export class Ledger {
  constructor(
    /** note id → hash of its participant's secret. */
    private readonly owners: Map<string, string>,
    private readonly participants: ParticipantState,
  ) {}

  apply(row: ParticipantRow): void {
    switch (row.type) {
      case "owner":
        this.owners.set(row.noteId, row.participantHash);
        return;
      case "vote": {
        const mine = this.participants.votes.get(row.participantHash) ?? new Map<string, number>();
        if (row.count > 0) mine.set(row.targetId, row.count);
        else mine.delete(row.targetId);
        this.participants.votes.set(row.participantHash, mine);
        return;
      }
      case "flag": {
        const set = this.participants.flags.get(row.flag) ?? new Set<string>();
        set.add(row.participantHash);
        this.participants.flags.set(row.flag, set);
        return;
      }
    }
  }

  ownerOf(noteId: string): string | undefined {
    return this.owners.get(noteId);
  }

  notesOf(participantHash: string): string[] {
    const ids: string[] = [];
    for (const [id, owner] of this.owners) if (owner === participantHash) ids.push(id);
    return ids;
  }

  /** Dots per target of one participant. */
  votesOf(participantHash: string): ReadonlyMap<string, number> {
    return this.participants.votes.get(participantHash) ?? new Map();
  }

  /** Dots per target, summed over every participant: what the room sees once a vote is revealed. */
  voteTotals(): Map<string, number> {
    const totals = new Map<string, number>();
    for (const mine of this.participants.votes.values())
      for (const [target, count] of mine) totals.set(target, (totals.get(target) ?? 0) + count);
    return totals;
  }

  /** Participants with at least one dot: what the room sees while totals are hidden. */
  voterCount(): number {
    let count = 0;
    for (const mine of this.participants.votes.values()) if (mine.size > 0) count++;
    return count;
  }

  hasFlag(participantHash: string, flag: "done"): boolean {
    return this.participants.flags.get(flag)?.has(participantHash) ?? false;
  }

  flagCount(flag: "done"): number {
    return this.participants.flags.get(flag)?.size ?? 0;
  }
}

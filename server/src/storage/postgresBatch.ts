import type { StorageOp } from "./storage.ts";

/** An op with the owner's epoch of its board when it was enqueued (rule D7). */
export interface Batch {
  ops: EpochOp[];
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface EpochOp {
  op: StorageOp;
  epoch: number;
}

/**
 * One batch of ops as the column arrays of `atelier_commit` (postgresSchema.ts),
 * so that the whole batch is one statement and one round trip. The order of
 * the ops is kept where it matters: a compaction drops the updates before it
 * in the batch (its state holds them), a note's first owner wins, and a
 * participant's last vote on a target wins.
 */
export function toBatchArrays(ops: EpochOp[], now: number): unknown[] {
  const epochs = new Map<string, number>();
  const compacted = new Map<string, [string, string]>();
  let rows: { board: string; doc: string; data: Uint8Array; epoch: number }[] = [];
  const owners = new Map<string, [string, string, string]>();
  const votes = new Map<string, [string, string, string, number]>();
  const flags = new Map<string, [string, string, string]>();
  for (const { op, epoch } of ops) {
    epochs.set(op.boardId, epoch);
    switch (op.type) {
      case "update":
        rows.push({ board: op.boardId, doc: op.doc, data: op.update, epoch });
        break;
      case "compact":
        rows = rows.filter((r) => r.board !== op.boardId || r.doc !== op.doc);
        compacted.set(`${op.boardId}\u0000${op.doc}`, [op.boardId, op.doc]);
        rows.push({ board: op.boardId, doc: op.doc, data: op.state, epoch });
        break;
      case "owner": {
        const key = `${op.boardId}\u0000${op.noteId}`;
        if (!owners.has(key)) owners.set(key, [op.boardId, op.noteId, op.participantHash]);
        break;
      }
      case "vote": {
        const key = `${op.boardId}\u0000${op.participantHash}\u0000${op.targetId}`;
        votes.delete(key);
        votes.set(key, [op.boardId, op.participantHash, op.targetId, op.count]);
        break;
      }
      case "flag":
        flags.set(`${op.boardId}\u0000${op.participantHash}\u0000${op.flag}`, [
          op.boardId,
          op.participantHash,
          op.flag,
        ]);
        break;
      default: {
        const never: never = op;
        throw new Error(`unknown storage op ${JSON.stringify(never)}`);
      }
    }
  }
  const column = <T>(list: T[][], i: number) => list.map((r) => r[i]);
  const c = [...compacted.values()];
  const o = [...owners.values()];
  const v = [...votes.values()];
  const f = [...flags.values()];
  return [
    [...epochs.keys()],
    [...epochs.values()],
    column(c, 0),
    column(c, 1),
    rows.map((r) => r.board),
    rows.map((r) => r.doc),
    rows.map((r) => Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength)),
    rows.map((r) => r.epoch),
    column(o, 0),
    column(o, 1),
    column(o, 2),
    column(v, 0),
    column(v, 1),
    column(v, 2),
    column(v, 3),
    column(f, 0),
    column(f, 1),
    column(f, 2),
    now,
  ];
}

/** A batch refused before it reached PostgreSQL: a board of it is no longer this relay's. */
export class OwnershipLostError extends Error {
  constructor(readonly boardId: string) {
    super(`board ${boardId}: ownership lost`);
  }
}

export function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A batch nobody awaits must not become an unhandled rejection.
  promise.catch(() => undefined);
  return { ops: [], promise, resolve, reject };
}

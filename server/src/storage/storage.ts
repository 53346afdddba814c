import type { DocName } from "@atelier/shared/document/docLayout";
import type { Role } from "@atelier/shared/wire/roles";

export interface BoardRecord {
  id: string;
  joinCode: string;
  title: string;
  createdAt: number;
  /** The series (the network's days) it belongs to, if any. */
  seriesId?: string | null;
  /** When a change of its documents was last committed (its creation until then). */
  lastActivityAt?: number;
}

/** Days of one network, shown together (`/series/:id`). */
export interface SeriesRecord {
  id: string;
  title: string;
  createdAt: number;
}

export interface LinkRecord {
  boardId: string;
  role: Role;
  revoked: boolean;
  /** Read through a series link: the day's archive, never what lets one join or write. */
  viaSeries?: boolean;
}

export interface SnapshotRecord {
  id: string;
  boardId: string;
  name: string;
  kind: "named" | "auto" | "close";
  createdAt: number;
  /** Rendered board images stored with it (the facilitator's page makes them). */
  images?: SnapshotImage["format"][];
}

export interface SnapshotImage {
  format: "png" | "svg";
  data: Uint8Array;
  width: number;
  height: number;
}

/** A row about participants, stored beside the documents and never in them. */
export type ParticipantRow =
  | { type: "owner"; noteId: string; participantHash: string }
  /** A participant's dots on one target; 0 removes the row. */
  | { type: "vote"; participantHash: string; targetId: string; count: number }
  | { type: "flag"; participantHash: string; flag: "done" };

/** What one committed batch may hold; applied in order, in one transaction. */
export type StorageOp =
  | { type: "update"; boardId: string; doc: DocName; update: Uint8Array }
  /** Replaces every logged update of the document with one state update. */
  | { type: "compact"; boardId: string; doc: DocName; state: Uint8Array }
  | (ParticipantRow & { boardId: string });

/** Whether this process may load and write a board now (rule D7: one owner relay per board). */
export type Claim = { owner: "self" } | { owner: "other"; url: string };

/** What other relays must hear of at once: they may hold sockets of the board. */
export type ControlEvent =
  { type: "board-deleted"; boardId: string } | { type: "link-revoked"; boardId: string; role: Role };

/** Per participant, kept out of the documents: dots per target, and flags such as "done". */
export interface ParticipantState {
  votes: Map<string, Map<string, number>>;
  flags: Map<string, Set<string>>;
}

/**
 * Where boards live. One implementation (SQLite) today; the interface is
 * asynchronous and board-scoped so that a shared store can replace it when
 * rooms are spread over several relay processes.
 *
 * Durability contract (docs/ARCHITECTURE.md, rule D1): the promise returned by
 * `enqueue` resolves only once the op, and every op enqueued before it, is
 * on disk. Ops enqueued in the same turn of the event loop share one commit.
 */
export interface Storage {
  /** The board, its links and its first document state, in one transaction. */
  createBoard(
    board: BoardRecord,
    links: { tokenHash: string; role: Role }[],
    initial: Partial<Record<DocName, Uint8Array>>,
  ): Promise<void>;
  getBoard(boardId: string): Promise<BoardRecord | null>;
  findBoardByJoinCode(joinCode: string): Promise<BoardRecord | null>;
  findLink(tokenHash: string): Promise<LinkRecord | null>;
  /** Revokes every live link of `role` and stores the new one. */
  replaceLink(boardId: string, role: Role, tokenHash: string): Promise<void>;

  /** A new join code: the old one stops working (revoking the participant link). */
  replaceJoinCode(boardId: string, joinCode: string): Promise<void>;

  /** Logged updates of one document, oldest first (after compaction: one). */
  loadDoc(boardId: string, doc: DocName): Promise<Uint8Array[]>;
  /** Which participant wrote which note, for the whole board. */
  loadOwners(boardId: string): Promise<Map<string, string>>;
  loadParticipants(boardId: string): Promise<ParticipantState>;
  enqueue(op: StorageOp): Promise<void>;
  /** Resolves when everything enqueued so far is committed. */
  whenCommitted(): Promise<void>;

  /** Immutable once taken; images are stored in the same transaction. */
  addSnapshot(snapshot: SnapshotRecord, states: Record<DocName, Uint8Array>, images?: SnapshotImage[]): Promise<void>;
  listSnapshots(boardId: string): Promise<SnapshotRecord[]>;
  getSnapshotStates(boardId: string, snapshotId: string): Promise<Record<DocName, Uint8Array> | null>;
  getSnapshotImage(boardId: string, snapshotId: string, format: SnapshotImage["format"]): Promise<SnapshotImage | null>;

  /** A real delete: every row of the board, and no trace left in the file. */
  deleteBoard(boardId: string): Promise<void>;
  /** Days after creation when the board is deleted; null keeps it. */
  setRetention(boardId: string, days: number | null): Promise<void>;
  getRetention(boardId: string): Promise<number | null>;
  expiredBoards(now: number): Promise<string[]>;
  listBoards(): Promise<BoardRecord[]>;

  /** A series and its coordinator link, in one transaction. */
  createSeries(series: SeriesRecord, tokenHash: string): Promise<void>;
  getSeries(seriesId: string): Promise<SeriesRecord | null>;
  listSeries(): Promise<SeriesRecord[]>;
  /** The series a link token opens, if it is live. */
  findSeriesLink(tokenHash: string): Promise<{ seriesId: string; revoked: boolean } | null>;
  replaceSeriesLink(seriesId: string, tokenHash: string): Promise<void>;
  /** Moves a board into a series, or out of any with null. */
  setBoardSeries(boardId: string, seriesId: string | null): Promise<void>;
  /** Removes the series, its link and merges; its boards stay, detached. */
  deleteSeries(seriesId: string): Promise<void>;
  /** Normalised theme titles merged into another: alias → target. */
  seriesMerges(seriesId: string): Promise<Map<string, string>>;
  /** Merges `alias` into `target`, or undoes the merge when `target` is null. */
  setSeriesMerge(seriesId: string, alias: string, target: string | null): Promise<void>;

  /**
   * Ownership (rule D7). A board's documents live in one relay at a time:
   * `claim` makes this process its owner unless a live relay already is
   * (then it says where that relay is). Ops are committed only for boards
   * this store has claimed; SQLite, one process, always owns.
   */
  claim(boardId: string): Promise<Claim>;
  /** Gives the board up once it is unloaded. */
  release(boardId: string): Promise<void>;
  /** Where the live relay owning the board is reached, or null when this one may take it. */
  ownerElsewhere(boardId: string): Promise<string | null>;
  /** Boards this process no longer owns (fenced, or its commit session ended). */
  onOwnershipLost(listener: (boardIds: string[]) => void): void;
  /** Tells every other relay (a no-op with one relay). */
  announce(event: ControlEvent): Promise<void>;
  onControl(listener: (event: ControlEvent) => void): void;
  /** What relays present to each other when one forwards to another; null with one relay. */
  relaySecret(): string | null;
  /** Where other relays reach this one, once it listens. */
  advertise(url: string): Promise<void>;

  close(): Promise<void>;
}

/**
 * Who made a change to a board document (the `origin` of its Yjs transaction).
 * A board screen's own updates carry its connection object instead, so the
 * relay can skip echoing them back.
 */
export const Origin = {
  /** A note submitted, edited or withdrawn, a dot or "I'm done" from a phone, applied by the relay. */
  phone: "phone",
  /** A facilitator's request through the API (moderation, settings), applied by the relay. */
  facilitator: "facilitator",
  /** Replaying stored updates when a board is loaded: never re-stored. */
  load: "load",
  /** A new board's first state: settings and its template's zones. */
  creation: "creation",
  /** A board re-imported from `board.json`. */
  import: "import",
  /** Upgrading stored content to the current version (document layout, tldraw records). */
  migration: "migration",
  /** A local change on a board screen (client side). */
  board: "board",
} as const;
export type OriginLabel = (typeof Origin)[keyof typeof Origin];

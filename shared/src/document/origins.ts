/**
 * Who made a change to a board document (the `origin` of its Yjs transaction).
 * A board screen's own updates carry its connection object instead, so the
 * relay can skip echoing them back.
 */
export const Origin = {
  /** A note submitted, edited or withdrawn by a phone, applied by the relay. */
  phone: "phone",
  /** A facilitator's moderation or settings request, applied by the relay. */
  moderation: "moderation",
  /** Replaying stored updates when a board is loaded: never re-stored. */
  load: "load",
  /** Upgrading an older document layout. */
  migration: "migration",
  /** A local change on a board screen (client side). */
  board: "board",
  /** A change that arrived from the relay (client side). */
  remote: "remote",
} as const;
export type OriginLabel = (typeof Origin)[keyof typeof Origin];

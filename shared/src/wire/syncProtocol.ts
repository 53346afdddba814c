/**
 * Message types of the y-websocket protocol, as the stock client speaks it.
 * Board screens connect to `/ws/board/:boardId/:docName?token=…`; see
 * docs/PROTOCOL.md for which role may send which message.
 */
export const SyncMessage = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
} as const;

/** Sub-types of a `sync` message (y-protocols/sync). */
export const SyncStep = {
  step1: 0,
  step2: 1,
  update: 2,
} as const;

export function boardSocketPath(boardId: string): string {
  return `/ws/board/${encodeURIComponent(boardId)}`;
}

export function phoneSocketPath(joinCode: string): string {
  return `/ws/phone/${encodeURIComponent(joinCode)}`;
}

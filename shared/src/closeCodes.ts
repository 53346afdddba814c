/**
 * WebSocket close codes the relay uses, documented once (see docs/PROTOCOL.md).
 * 4000–4999 is the application range; the last three digits echo HTTP.
 */
export const CloseCode = {
  /** A frame that is not a valid message of the endpoint's protocol. */
  BadMessage: 4400,
  /** Missing, wrong or revoked token. */
  Unauthorized: 4401,
  /** The link's role may not do this (e.g. a projector sending an update). */
  Forbidden: 4403,
  /** No such board (or join code). */
  UnknownBoard: 4404,
  /** The client did not drain its output fast enough. */
  TooSlow: 4408,
  /** An update that could not be applied safely: drop local state and resync. */
  Resync: 4409,
  /** Too many messages too fast. */
  RateLimited: 4429,
  /** The relay could not store a change: reconnect later, nothing was lost. */
  StorageUnavailable: 4503,
  /** The relay is stopping or the board was unloaded: reconnect. */
  GoingAway: 1001,
  /** A frame over the size limit (sent by the `ws` library itself). */
  MessageTooBig: 1009,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Codes after which reconnecting with the same link cannot succeed. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.Unauthorized,
  CloseCode.UnknownBoard,
  CloseCode.Forbidden,
]);

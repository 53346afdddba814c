/**
 * WebSocket close codes the relay uses, documented once (see docs/PROTOCOL.md).
 * As the stock y-websocket 3 client expects: 4400–4499 are final (reconnecting
 * with the same link cannot help, the client stops), 4500–4599 are transient
 * (reconnect with backoff). The last two digits echo HTTP.
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
  /** The board has reached its maximum size: no more changes are accepted. */
  BoardFull: 4413,
  /** The peer answered neither pings nor heartbeats for `LIVENESS.deadAfterMs`: it is gone, or will reconnect. */
  NoAnswer: 4504,
  /** The client did not drain its output fast enough. */
  TooSlow: 4508,
  /** An update that could not be applied safely: drop local state and resync. */
  Resync: 4509,
  /** Too many messages too fast. */
  RateLimited: 4529,
  /** The relay could not store a change: reconnect later, nothing was lost. */
  StorageUnavailable: 4503,
  /** The relay is stopping or the board was unloaded: reconnect. */
  GoingAway: 1001,
  /** A frame over the size limit (sent by the `ws` library itself). */
  MessageTooBig: 1009,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Codes after which reconnecting with the same link cannot succeed. */
export function isFinalCloseCode(code: number): boolean {
  return code >= 4400 && code < 4500;
}

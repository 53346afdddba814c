/**
 * What a connection needs of its socket, and nothing more: the phone and
 * screen connections speak to this interface, so their logic runs the same
 * over a real WebSocket (`wsSocket.ts`) and over the in-process pair the
 * unit tests use (`socketPair.ts`).
 */
export interface PeerSocket {
  /**
   * Sends, unless the peer lets its backlog grow past the bound: then
   * returns false and the caller drops the connection rather than the
   * relay's memory.
   */
  send(message: Uint8Array | string): boolean;
  close(code: number, reason: string): void;
  /** A binary frame arrives as bytes, a text frame as a string. */
  onMessage(listener: (message: Uint8Array | string) => void): void;
  /** The peer went away or the socket failed; called once. */
  onClose(listener: () => void): void;
}

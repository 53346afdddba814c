import type { PeerSocket } from "./socket.ts";

/**
 * Both ends of an in-process connection, for unit tests of the phone and
 * screen connections (as tldraw's test socket pair): the relay's side is a
 * `PeerSocket`, the test holds the other end. Frames are delivered on a
 * later turn, as over a network, so a test cannot depend on an order a real
 * socket would not give.
 */
export interface TestPeer {
  /** Everything the relay sent, oldest first. */
  readonly received: (Uint8Array | string)[];
  /** Set once the relay closed the connection. */
  readonly closed: { code: number; reason: string } | null;
  send(message: Uint8Array | string): void;
  /** The peer goes away (a phone walking out of the Wi-Fi). */
  disconnect(): void;
  /** The next message the relay sends, or the one already waiting. */
  next(): Promise<Uint8Array | string>;
  /** Stops reading: sends return false, as when the peer's backlog is full. */
  stall(): void;
}

export function socketPair(): { relay: PeerSocket; peer: TestPeer } {
  const messageListeners: ((message: Uint8Array | string) => void)[] = [];
  const closeListeners: (() => void)[] = [];
  const received: (Uint8Array | string)[] = [];
  const waiting: ((message: Uint8Array | string) => void)[] = [];
  let read = 0;
  let closed: { code: number; reason: string } | null = null;
  let gone = false;
  let stalled = false;

  const end = () => {
    if (gone) return;
    gone = true;
    setImmediate(() => closeListeners.forEach((listener) => listener()));
  };

  const relay: PeerSocket = {
    send(message) {
      if (gone) return true;
      if (stalled) return false;
      received.push(message);
      const waiter = waiting.shift();
      if (waiter) {
        read++;
        waiter(message);
      }
      return true;
    },
    close(code, reason) {
      if (gone) return;
      closed = { code, reason };
      end();
    },
    onMessage: (listener) => void messageListeners.push(listener),
    onClose: (listener) => void closeListeners.push(listener),
  };

  const peer: TestPeer = {
    received,
    get closed() {
      return closed;
    },
    send(message) {
      if (gone) throw new Error("the connection is closed");
      setImmediate(() => {
        if (!gone) messageListeners.forEach((listener) => listener(message));
      });
    },
    disconnect: end,
    next() {
      if (read < received.length) return Promise.resolve(received[read++]!);
      return new Promise((resolve) => waiting.push(resolve));
    },
    stall() {
      stalled = true;
    },
  };
  return { relay, peer };
}

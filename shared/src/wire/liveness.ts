/**
 * How the relay and the pages notice a peer that is gone without closing
 * its socket (a phone asleep, a laptop out of Wi-Fi, a relay frozen).
 * Defined once: the relay, the pages and the tests read these numbers.
 */
export const LIVENESS = {
  /** The relay sends a WebSocket ping to every socket this often. */
  pingIntervalMs: 15_000,
  /** A socket the relay has heard nothing from (no pong, no message) for this long is closed. */
  deadAfterMs: 30_000,
  /** How often the relay looks for dead sockets: the close comes at most this late. */
  sweepEveryMs: 5_000,
  /**
   * Browsers hide WebSocket pings from pages, so pages run their own
   * heartbeat: after this much silence from the relay they send a tiny
   * message the relay always answers…
   */
  pageQuietMs: 5_000,
  /**
   * …and after this much silence they call the relay gone, say so, and
   * reconnect: a live relay has 4 s to answer the ping, and a frozen one is
   * noticed within 10 s (9 s, and the page looks once a second).
   */
  pageDeadAfterMs: 9_000,
} as const;

/**
 * Every bound the relay enforces, in one place. The phone page imports the
 * text limits so its counter matches what the relay will accept.
 */
export const LIMITS = {
  /** Characters in a note's text, after trimming. */
  noteTextMax: 280,
  /** Characters in an author label (a first name, usually). */
  authorMax: 40,
  /** Characters in a board title, a prompt or a category label. */
  titleMax: 120,
  labelMax: 60,
  promptsMax: 12,
  categoriesMax: 20,
  /** Largest WebSocket frame from a phone (JSON). */
  phoneFrameBytes: 4 * 1024,
  /** Largest WebSocket frame from a board screen (a Yjs update). */
  screenFrameBytes: 2 * 1024 * 1024,
  /** A client whose unsent output exceeds this is too slow and is dropped. */
  sendBufferBytes: 8 * 1024 * 1024,
  /** Notes per participant: a burst, then one every `noteRefillMs`. */
  noteBurst: 10,
  noteRefillMs: 3_000,
  /** Messages per phone connection: a burst, then this many per second. */
  phoneMessageBurst: 50,
  phoneMessagesPerSecond: 20,
  /** Board screens send a message per drag frame and cursor move: more room. */
  screenMessageBurst: 600,
  screenMessagesPerSecond: 300,
  /** A read-only screen that tries to write this many times is disconnected. */
  forbiddenWritesBeforeClose: 3,
  /** Open sockets from one address (a venue's Wi-Fi may put a whole room behind one). */
  connectionsPerAddress: 2_000,
  /** Unknown join codes tried from one address: a burst, then one every `joinFailureRefillMs`. */
  joinFailureBurst: 20,
  joinFailureRefillMs: 6_000,
  /** Boards held in memory at once by one relay process. */
  maxLoadedBoards: 200,
  /** Stored size of one board document (its log since the last compaction). */
  maxDocumentBytes: 64 * 1024 * 1024,
  /** Dots per participant in a vote: the facilitator picks within these, 3 unless set. */
  voteDotsMin: 1,
  voteDotsMax: 20,
  voteDotsDefault: 3,
  /** Participant secrets and note ids are nanoids; bound what we accept. */
  idMin: 10,
  idMax: 64,
} as const;

export const JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const JOIN_CODE_LENGTH = 6;

/** Upper-cases and drops what people type around a code (spaces, dashes). */
export function normalizeJoinCode(input: string): string {
  return input.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

export function isJoinCode(code: string): boolean {
  if (code.length !== JOIN_CODE_LENGTH) return false;
  for (const ch of code) if (!JOIN_CODE_ALPHABET.includes(ch)) return false;
  return true;
}

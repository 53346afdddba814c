import type { Rooms } from "../rooms/rooms.ts";
import type { Storage } from "../storage/storage.ts";

/**
 * Boards past the retention period their coordinator set are deleted for
 * good (rule D6), at start and then every hour.
 */
export async function deleteExpiredBoards(
  storage: Storage,
  rooms: Rooms,
  log: (message: string) => void,
  now = Date.now(),
): Promise<void> {
  for (const boardId of await storage.expiredBoards(now)) {
    await rooms.deleteBoard(boardId);
    log(`board ${boardId}: deleted at the end of its retention period`);
  }
}

export function sweepRetentionHourly(storage: Storage, rooms: Rooms, log: (message: string) => void): () => void {
  const timer = setInterval(
    () =>
      void deleteExpiredBoards(storage, rooms, log).catch((e: unknown) => log(`retention sweep failed: ${String(e)}`)),
    3_600_000,
  );
  timer.unref();
  return () => clearInterval(timer);
}

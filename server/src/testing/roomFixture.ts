import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SettingsPatch } from "@atelier/shared/wire/boardSchemas";
import { createBoard } from "../rooms/boards.ts";
import { Room, type LoadedBoard, type RoomOptions } from "../rooms/room.ts";
import { loadBoard } from "../rooms/rooms.ts";
import { SqliteStorage } from "../storage/sqliteStorage.ts";
import { changeSettings } from "../ingest/settings.ts";

export const TEST_ROOM_OPTIONS: RoomOptions = {
  compactAfter: 10_000,
  idleUnloadMs: 60_000,
  autoSnapshotMs: 0,
  log: () => {},
};

export interface RoomFixture {
  file: string;
  storage: SqliteStorage;
  room: Room;
  boardId: string;
  joinCode: string;
  /** How many times the room told its registry it closed (a failed or shut room). */
  readonly closedCalls: number;
  /** A second, independent handle on the same SQLite file, loaded afresh. */
  reopened(): Promise<{ storage: SqliteStorage; loaded: LoadedBoard }>;
  /** Changes settings through the facilitator's path; fails the test if refused. */
  settings(patch: SettingsPatch): Promise<void>;
  cleanup(): Promise<void>;
}

/** A real SQLite file in a temporary folder, a board with two prompts and two categories, its room loaded. */
export async function openRoom(
  request: { moderation?: "open" | "controlled" } = {},
  options: Partial<RoomOptions> = {},
): Promise<RoomFixture> {
  const dir = mkdtempSync(join(tmpdir(), "atelier-unit-"));
  const file = join(dir, "atelier.db");
  const storage = new SqliteStorage(file);
  const { boardId, joinCode } = await createBoard(storage, "http://test", {
    title: "Journée des jeunes",
    date: "2026-03-14",
    prompts: ["Ce qui marche", "Ce qui manque"],
    categories: ["Jeunes", "Parents"],
    ...request,
  });
  let closedCalls = 0;
  const room = new Room(
    boardId,
    storage,
    { ...TEST_ROOM_OPTIONS, ...options },
    await loadBoard(storage, boardId),
    () => {
      closedCalls++;
    },
  );
  const others: SqliteStorage[] = [];
  return {
    get closedCalls() {
      return closedCalls;
    },
    file,
    storage,
    room,
    boardId,
    joinCode,
    async reopened() {
      const second = new SqliteStorage(file);
      others.push(second);
      return { storage: second, loaded: await loadBoard(second, boardId) };
    },
    async settings(patch) {
      const result = await changeSettings(room, patch);
      if (!result.ok) throw new Error(`settings refused: ${result.reason}`);
    },
    async cleanup() {
      room.shutDown(1000, "test over");
      for (const s of others) await s.close().catch(() => undefined);
      await storage.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { DOC_LAYOUT_VERSION, readNotes, readSettings } from "@atelier/shared/document/docLayout";
import { NewerLayoutError } from "@atelier/shared/document/layoutMigrations";
import { SqliteStorage } from "../storage/sqliteStorage.ts";
import { Rooms } from "./rooms.ts";
import { FIXTURE_NOTES } from "../../../tests/fixtures/boardFixture.ts";

const OPTIONS = { compactAfter: 500, idleUnloadMs: 60_000, autoSnapshotMs: 0, log: () => undefined };
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A relay's storage holding one board whose `room` document is `state`, as an older relay stored it. */
async function storedBoard(state: Uint8Array): Promise<{ file: string; storage: SqliteStorage }> {
  const dir = mkdtempSync(join(tmpdir(), "atelier-layout-"));
  dirs.push(dir);
  const file = join(dir, "atelier.sqlite");
  const storage = new SqliteStorage(file);
  await storage.createBoard({ id: "board1", joinCode: "ABCDEF", title: "Fixture", createdAt: 0 }, [], { room: state });
  return { file, storage };
}

describe("document layout versions", () => {
  it("loads the board stored by layout version 1, migrates it and stores the new version", async () => {
    const v1 = new Uint8Array(readFileSync(new URL("../../../tests/fixtures/board-v1.yjs", import.meta.url)));
    const { file, storage } = await storedBoard(v1);
    const room = await new Rooms(storage, OPTIONS).open("board1");
    expect(readSettings(room.docs.room).layoutVersion).toBe(DOC_LAYOUT_VERSION);
    expect(readNotes(room.docs.room).map((n) => n.text)).toEqual(FIXTURE_NOTES.map((n) => n.text));
    room.shutDown(1001, "test");
    await storage.close();

    // What the next start reads: the migration was committed, not only applied in memory.
    const again = new SqliteStorage(file);
    const doc = new Y.Doc();
    for (const update of await again.loadDoc("board1", "room")) Y.applyUpdate(doc, update);
    expect(readSettings(doc).layoutVersion).toBe(DOC_LAYOUT_VERSION);
    await again.close();
  });

  it("refuses a board saved by a newer relay instead of loading or rewriting it", async () => {
    const newer = new Y.Doc();
    newer.getMap("settings").set("layoutVersion", DOC_LAYOUT_VERSION + 1);
    const { storage } = await storedBoard(Y.encodeStateAsUpdate(newer));
    await expect(new Rooms(storage, OPTIONS).open("board1")).rejects.toBeInstanceOf(NewerLayoutError);
    expect(await storage.loadDoc("board1", "room")).toHaveLength(1);
    await storage.close();
  });
});

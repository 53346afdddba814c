import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { canvasStore } from "@atelier/shared/document/canvas";
import { readNotes } from "@atelier/shared/document/docLayout";
import { PhoneClient } from "../support/phoneClient.ts";
import { createTestBoard, removeDir, spawnRelay, tempDataDir, type ChildRelay } from "../support/relay.ts";
import { connectScreen, waitFor } from "../support/screens.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

/**
 * Every other test runs the relay's sources through tsx; `pnpm start` runs the
 * bundle scripts/build-server.mjs makes (dependencies inside, minified). This
 * builds it as `pnpm start` would and runs a board's path through it.
 */
describe("the relay as `pnpm start` runs it (server/dist)", () => {
  let relay: ChildRelay | null = null;
  const dataDir = tempDataDir();
  afterEach(async () => {
    await relay?.stop();
    removeDir(dataDir);
  });

  it("acknowledges a phone's note and syncs it and a facilitator's edit to stock y-websocket screens", async () => {
    execFileSync(process.execPath, ["scripts/build-server.mjs"], { cwd: ROOT, stdio: "pipe", timeout: 60_000 });
    relay = await spawnRelay(dataDir, { BOARD_CREATION: "anyone" }, 0, { compiled: true });
    const board = await createTestBoard(relay.url);
    const facilitator = connectScreen(relay.url, board.boardId, board.tokens.facilitator);
    const projector = connectScreen(relay.url, board.boardId, board.tokens.projector);
    const phone = await PhoneClient.connect(relay.url, board.joinCode);
    try {
      await Promise.all([facilitator.synced(), projector.synced()]);
      expect((await phone.submit({ text: "Un référent par collège" })).type).toBe("ack");
      canvasStore(facilitator.doc).set("page:page", {
        id: "page:page",
        typeName: "page",
        name: "Page",
        index: "a1",
      } as never);
      await waitFor(
        () =>
          readNotes(projector.doc).some((n) => n.text === "Un référent par collège") &&
          canvasStore(projector.doc).get("page:page") !== undefined,
        10_000,
        "the note and the edit on the projector",
      );
    } finally {
      phone.close();
      facilitator.destroy();
      projector.destroy();
    }
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { readNotes } from "@atelier/shared/document/docLayout";
import { startTestRelay, createTestBoard, removeDir } from "../support/relay.ts";
import { PhoneClient } from "../support/phoneClient.ts";
import { connectScreen } from "../support/screens.ts";
import { dbOf } from "../support/db.ts";

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;

/**
 * Real SQLite failures, switched on and off under a running relay:
 * `query_only` makes every write fail as on a read-only file, and
 * `max_page_count` at the current size makes them fail as on a full disk.
 */
const FAULTS: Record<string, { on(r: TestRelay): void; off(r: TestRelay): void }> = {
  "read-only database": {
    on: (r) => dbOf(r).pragma("query_only = ON"),
    off: (r) => dbOf(r).pragma("query_only = OFF"),
  },
  "full disk": {
    on: (r) => {
      const pages = dbOf(r).pragma("page_count", { simple: true }) as number;
      dbOf(r).pragma(`max_page_count = ${pages}`);
    },
    off: (r) => dbOf(r).pragma("max_page_count = 1073741823"),
  },
};

describe("storage faults", () => {
  const relays: TestRelay[] = [];
  afterEach(async () => {
    for (const r of relays.splice(0)) {
      FAULTS["read-only database"]!.off(r);
      await r.close();
      removeDir(r.dataDir);
    }
  });

  it.each(Object.keys(FAULTS))(
    "%s: acknowledges nothing it did not store, keeps serving, resumes when cleared",
    async (name) => {
      const fault = FAULTS[name]!;
      const relay = await startTestRelay();
      relays.push(relay);
      const board = await createTestBoard(relay.localUrl);
      const acked = new Set<string>();
      let counter = 0;
      const submit = async (text: string) => {
        const phone = await PhoneClient.connect(relay.localUrl, board.joinCode).catch(() => null);
        // A socket closed by the failing board (4503) is as good as a refusal: nothing was acknowledged.
        if (!phone) return { type: "refused", reason: "storage_unavailable" } as const;
        const id = `note-fault-${counter++}`;
        const reply = await phone.request({ type: "submit", id, text, prompt: "p1", category: "", author: "" });
        phone.close();
        if (reply.type === "ack") acked.add(id);
        return reply;
      };

      expect((await submit("avant")).type).toBe("ack");
      fault.on(relay);
      // Enough text to need new pages on the full disk; some may still fit in free space and be stored.
      const during = [];
      for (let i = 0; i < 30; i++) during.push(await submit(`pendant ${i} ${"x".repeat(250)}`));
      const refused = during.filter((r) => r.type === "refused");
      expect(refused.length).toBeGreaterThan(0);
      for (const reply of refused) expect(reply).toMatchObject({ reason: "storage_unavailable" });
      if (name === "read-only database") expect(refused).toHaveLength(30);

      // Still serving what it has: a projector syncs and sees the note stored before.
      const projector = connectScreen(relay.localUrl, board.boardId, board.tokens.projector);
      await projector.synced();
      expect(readNotes(projector.doc).map((n) => n.text)).toContain("avant");
      projector.destroy();

      fault.off(relay);
      expect((await submit("après")).type).toBe("ack");
      const room = await relay.rooms.open(board.boardId);
      const stored = new Set(readNotes(room.docs.room).map((n) => n.id));
      expect([...acked].every((id) => stored.has(id))).toBe(true);
      expect(readNotes(room.docs.room).map((n) => n.text)).toContain("après");
      expect(stored.size).toBe(acked.size);
    },
  );
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readVotes } from "@atelier/shared/document/docLayout";
import { computeTally } from "@atelier/shared/derived/tally";
import { startTestRelay, createTestBoard, removeDir } from "../support/relay.ts";
import { PhoneClient } from "../support/phoneClient.ts";
import { boardDigest } from "../support/db.ts";
import { connectScreen, waitFor } from "../support/screens.ts";

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;

describe("phases, dot voting and the done signal, enforced by the relay", () => {
  let relay: TestRelay;
  let board: Awaited<ReturnType<typeof createTestBoard>>;
  const settings = (body: object) =>
    fetch(`${relay.localUrl}/api/boards/${board.boardId}/settings`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${board.tokens.facilitator}` },
      body: JSON.stringify(body),
    });
  let counter = 0;
  const vote = (phone: PhoneClient, target: string, delta: 1 | -1) =>
    phone.request({ type: "vote", id: `vote-request-${counter++}`, target, delta });

  beforeAll(async () => {
    relay = await startTestRelay();
    board = await createTestBoard(relay.localUrl);
  });
  afterAll(async () => {
    await relay.close();
    removeDir(relay.dataDir);
  });

  it("refuses what each phase forbids, with a reason the phone can show", async () => {
    const phone = await PhoneClient.connect(relay.localUrl, board.joinCode);
    const ids = ["note-phase-a-0001", "note-phase-b-0001"];
    for (const id of ids)
      expect((await phone.request({ type: "submit", id, text: id, prompt: "p1", category: "", author: "" })).type).toBe(
        "ack",
      );
    // Voting before the vote: refused.
    expect(await vote(phone, ids[0]!, 1)).toMatchObject({ type: "refused", reason: "phase_forbids" });
    expect((await settings({ phase: "group" })).status).toBe(200);
    expect(await phone.submit({ text: "pendant le regroupement" })).toMatchObject({
      type: "refused",
      reason: "phase_forbids",
    });
    expect((await settings({ phase: "vote" })).status).toBe(200);
    expect(await vote(phone, ids[0]!, 1)).toMatchObject({ type: "refused", reason: "vote_closed" });
    phone.close();
  });

  it("keeps each participant within their dots, even when they talk to the relay directly", async () => {
    expect((await settings({ phase: "vote", vote: { open: true, target: "notes", dots: 3 } })).status).toBe(200);
    // A stock y-websocket client on the projector link, watching the room document.
    const projector = connectScreen(relay.localUrl, board.boardId, board.tokens.projector);
    await projector.synced();
    const alice = await PhoneClient.connect(relay.localUrl, board.joinCode, "alice-participant-secret-1");
    const bob = await PhoneClient.connect(relay.localUrl, board.joinCode, "bob-participant-secret-01");
    expect(alice.welcome?.ballot.targets.map((t) => t.id)).toEqual(["note-phase-a-0001", "note-phase-b-0001"]);
    const replies = await Promise.all(Array.from({ length: 6 }, () => vote(alice, "note-phase-a-0001", 1)));
    expect(replies.filter((r) => (r as { type: string }).type === "voted")).toHaveLength(3);
    expect(replies.filter((r) => r.type === "refused" && r.reason === "no_dots_left")).toHaveLength(3);
    expect(await vote(alice, "not-a-target-000", 1)).toMatchObject({ type: "refused", reason: "unknown_target" });
    // Taking a dot back frees it.
    expect((await vote(alice, "note-phase-a-0001", -1)) as unknown).toMatchObject({
      type: "voted",
      ballot: { mine: { "note-phase-a-0001": 2 } },
    });
    expect((await vote(alice, "note-phase-b-0001", 1)) as unknown).toMatchObject({ type: "voted" });
    // A second connection with the same secret shares the same budget.
    const aliceAgain = await PhoneClient.connect(relay.localUrl, board.joinCode, "alice-participant-secret-1");
    expect(aliceAgain.welcome?.ballot.mine).toEqual({ "note-phase-a-0001": 2, "note-phase-b-0001": 1 });
    expect(await vote(aliceAgain, "note-phase-b-0001", 1)).toMatchObject({ type: "refused", reason: "no_dots_left" });
    for (let i = 0; i < 2; i++) await vote(bob, "note-phase-b-0001", 1);

    const room = await relay.rooms.open(board.boardId);
    // Totals are hidden until the vote closes; the room sees that two participants voted.
    expect(readVotes(room.docs.room).size).toBe(0);
    expect(room.docs.room.getMap("signals").get("voters")).toBe(2);
    await waitFor(() => projector.doc.getMap("signals").get("voters") === 2, 5_000, "the voter count on the projector");
    expect(projector.doc.getMap("votes").size).toBe(0);
    // A phone hears of its own dots only.
    const voted = [...bob.messages].reverse().find((m) => m.type === "voted");
    expect(voted && "ballot" in voted ? voted.ballot.mine : null).toEqual({ "note-phase-b-0001": 2 });
    expect(JSON.stringify(aliceAgain.welcome)).not.toContain('"note-phase-b-0001":3');
    expect((await settings({ vote: { open: false, target: "notes", dots: 3 } })).status).toBe(200);
    expect(Object.fromEntries(readVotes(room.docs.room))).toEqual({ "note-phase-a-0001": 2, "note-phase-b-0001": 3 });
    await waitFor(() => projector.doc.getMap("votes").get("note-phase-b-0001") === 3, 5_000, "totals on the projector");
    projector.destroy();
    // The export carries exactly the votes cast.
    const tally = computeTally(room.docs.room);
    expect(tally.notes.map((n) => [n.id, n.votes])).toEqual([
      ["note-phase-a-0001", 2],
      ["note-phase-b-0001", 3],
    ]);
    const csv = Buffer.from(
      await (
        await fetch(`${relay.localUrl}/api/boards/${board.boardId}/snapshots/live/notes.csv`, {
          headers: { Authorization: `Bearer ${board.tokens.coordinator}` },
        })
      ).arrayBuffer(),
    ).toString("utf8");
    expect(csv.split("\r\n")[0]).toContain("Votes");
    [alice, bob, aliceAgain].forEach((p) => p.close());
  });

  it("counts each participant's 'I'm done' once, and forbids everything once closed", async () => {
    const phones = await Promise.all(
      ["done-participant-0001", "done-participant-0002"].map((p) =>
        PhoneClient.connect(relay.localUrl, board.joinCode, p),
      ),
    );
    for (const phone of [...phones, phones[0]!])
      expect((await phone.request({ type: "done", id: `done-request-${counter++}` })).type).not.toBe("refused");
    const room = await relay.rooms.open(board.boardId);
    expect(room.docs.room.getMap("signals").get("done")).toBe(2);
    expect((await settings({ phase: "closed" })).status).toBe(200);
    const digest = boardDigest(relay, board.boardId);
    expect(await phones[0]!.submit({ text: "trop tard" })).toMatchObject({ reason: "submissions_locked" });
    expect(await vote(phones[0]!, "note-phase-a-0001", 1)).toMatchObject({ reason: "phase_forbids" });
    expect(boardDigest(relay, board.boardId)).toBe(digest);
    phones.forEach((p) => p.close());
  });

  it("runs the timer on the relay's clock: start, pause, resume", async () => {
    const start = Date.now();
    await settings({ timer: { action: "start", durationMs: 60_000 } });
    const room = await relay.rooms.open(board.boardId);
    const read = () => room.docs.room.getMap("settings").get("timer") as { endsAt: number | null; remainingMs: number };
    expect(read().endsAt! - start).toBeGreaterThanOrEqual(60_000);
    await settings({ timer: { action: "pause" } });
    expect(read().endsAt).toBeNull();
    expect(read().remainingMs).toBeGreaterThan(55_000);
    await settings({ timer: { action: "resume" } });
    expect(read().endsAt).not.toBeNull();
  });
});

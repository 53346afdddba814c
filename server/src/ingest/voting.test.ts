import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readVotes, ROOM } from "@atelier/shared/document/docLayout";
import { openRoom, type RoomFixture } from "../testing/roomFixture.ts";
import { submitNote } from "./notes.ts";
import { ballotFor, castVote, isDone, markDone } from "./voting.ts";

const ALICE = "participant-hash-alice";
const BOB = "participant-hash-bob";

describe("dot voting", () => {
  let f: RoomFixture;
  beforeEach(async () => {
    f = await openRoom();
    for (const id of ["note-000001", "note-000002"]) {
      const posted = await submitNote(f.room, ALICE, {
        id,
        text: `Idée ${id}`,
        prompt: "p1",
        category: "",
        author: "",
      });
      expect(posted.ok).toBe(true);
    }
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it("[P1] voting outside the vote phase is refused phase_forbids", async () => {
    expect(await castVote(f.room, BOB, "note-000001", 1)).toEqual({ ok: false, reason: "phase_forbids" });
  });

  it("[P1] a closed vote is refused vote_closed", async () => {
    await f.settings({ phase: "vote", vote: { open: false, target: "notes", dots: 3 } });
    expect(await castVote(f.room, BOB, "note-000001", 1)).toEqual({ ok: false, reason: "vote_closed" });
  });

  it("[P1] an unknown target is refused", async () => {
    await f.settings({ phase: "vote", vote: { open: true, target: "notes", dots: 3 } });
    expect(await castVote(f.room, BOB, "note-nothere", 1)).toEqual({ ok: false, reason: "unknown_target" });
    // Voting on themes: a note id is no target.
    await f.settings({ vote: { open: true, target: "themes", dots: 3 } });
    expect(await castVote(f.room, BOB, "note-000001", 1)).toEqual({ ok: false, reason: "unknown_target" });
  });

  it("[P1] the budget of dots is enforced whatever the phone sends", async () => {
    await f.settings({ phase: "vote", vote: { open: true, target: "notes", dots: 2 } });
    expect((await castVote(f.room, BOB, "note-000001", 1)).ok).toBe(true);
    expect((await castVote(f.room, BOB, "note-000002", 1)).ok).toBe(true);
    expect(await castVote(f.room, BOB, "note-000001", 1)).toEqual({ ok: false, reason: "no_dots_left" });
    // Taking one back frees a dot.
    const back = await castVote(f.room, BOB, "note-000002", -1);
    expect(back).toEqual({ ok: true, value: expect.objectContaining({ mine: { "note-000001": 1 } }) });
    expect((await castVote(f.room, BOB, "note-000001", 1)).ok).toBe(true);
    expect(ballotFor(f.room, BOB).mine).toEqual({ "note-000001": 2 });
    // Another participant has their own budget.
    expect((await castVote(f.room, ALICE, "note-000001", 1)).ok).toBe(true);
    // Hidden by default while the vote is open: the room sees only how many voted.
    expect(readVotes(f.room.docs.room).size).toBe(0);
    expect(f.room.docs.room.getMap(ROOM.signals).get("voters")).toBe(2);
    await f.settings({ vote: { open: false, target: "notes", dots: 2 } });
    expect(readVotes(f.room.docs.room)).toEqual(new Map([["note-000001", 3]]));
  });

  it("keeps totals out of the room document until the vote closes, then reveals them durably", async () => {
    await f.settings({ phase: "vote", vote: { open: true, target: "notes", dots: 3 } });
    await castVote(f.room, BOB, "note-000001", 1);
    await castVote(f.room, ALICE, "note-000002", 1);
    expect(f.room.docs.room.getMap(ROOM.votes).size).toBe(0);
    expect((await f.reopened()).loaded.docs.room.getMap(ROOM.votes).toJSON()).toEqual({});
    await f.settings({ vote: { open: false, target: "notes", dots: 3 } });
    expect((await f.reopened()).loaded.docs.room.getMap(ROOM.votes).toJSON()).toEqual({
      "note-000001": 1,
      "note-000002": 1,
    });
    // Moving on to another step does not close a vote: its totals stay hidden until it closes.
    await f.settings({ vote: { open: true, target: "notes", dots: 3 } });
    await f.settings({ phase: "group" });
    expect(f.room.docs.room.getMap(ROOM.votes).size).toBe(0);
    await f.settings({ phase: "closed" });
    expect(f.room.docs.room.getMap(ROOM.votes).size).toBe(2);
    await f.settings({ phase: "vote" });
    // Reopened with hidden totals: they leave the document again.
    await f.settings({ vote: { open: true, target: "notes", dots: 3 } });
    expect(f.room.docs.room.getMap(ROOM.votes).size).toBe(0);
  });

  it("taking back a dot never placed changes nothing", async () => {
    await f.settings({ phase: "vote", vote: { open: true, target: "notes", dots: 3 } });
    const result = await castVote(f.room, BOB, "note-000001", -1);
    expect(result).toEqual({ ok: true, value: expect.objectContaining({ mine: {} }) });
    expect(readVotes(f.room.docs.room).size).toBe(0);
  });

  it("[D1] live totals (hideTotals off) and each participant's dots survive a reopen", async () => {
    await f.settings({ phase: "vote", vote: { open: true, target: "notes", dots: 3, hideTotals: false } });
    await castVote(f.room, BOB, "note-000001", 1);
    await castVote(f.room, BOB, "note-000001", 1);
    await castVote(f.room, ALICE, "note-000002", 1);
    const { loaded } = await f.reopened();
    expect(loaded.docs.room.getMap(ROOM.votes).toJSON()).toEqual({ "note-000001": 2, "note-000002": 1 });
    expect(loaded.participants.votes).toEqual(
      new Map([
        [BOB, new Map([["note-000001", 2]])],
        [ALICE, new Map([["note-000002", 1]])],
      ]),
    );
  });
});

describe("I'm done", () => {
  let f: RoomFixture;
  beforeEach(async () => {
    f = await openRoom();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it("counts each participant once, and the count survives a reopen", async () => {
    const signals = () => f.room.docs.room.getMap(ROOM.signals).get("done");
    expect(await markDone(f.room, ALICE)).toEqual({ ok: true, value: undefined });
    expect(await markDone(f.room, ALICE)).toEqual({ ok: true, value: undefined });
    expect(signals()).toBe(1);
    expect(isDone(f.room, ALICE)).toBe(true);
    expect(isDone(f.room, BOB)).toBe(false);
    await markDone(f.room, BOB);
    expect(signals()).toBe(2);
    const { loaded } = await f.reopened();
    expect(loaded.docs.room.getMap(ROOM.signals).get("done")).toBe(2);
    expect(loaded.participants.flags.get("done")).toEqual(new Set([ALICE, BOB]));
  });

  it("is refused once the board is closed", async () => {
    await f.settings({ phase: "closed" });
    expect(await markDone(f.room, ALICE)).toEqual({ ok: false, reason: "phase_forbids" });
  });
});

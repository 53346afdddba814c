import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { notesMap } from "@atelier/shared/document/docLayout";
import { LIMITS } from "@atelier/shared/wire/limits";
import type { NoteDraft } from "@atelier/shared/wire/protocol";
import { openRoom, type RoomFixture } from "../testing/roomFixture.ts";
import { editNote, submitNote, withdrawNote } from "./notes.ts";

const ALICE = "participant-hash-alice";
const BOB = "participant-hash-bob";

function draft(id: string, fields: Partial<NoteDraft> = {}): NoteDraft {
  return { id, text: "Plus de temps pour parler", prompt: "p1", category: "c1", author: "Léa", ...fields };
}

describe("notes from phones", () => {
  let f: RoomFixture;
  beforeEach(async () => {
    f = await openRoom();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it("[D1] an acknowledged note is durable: a new storage handle finds it and its owner", async () => {
    const result = await submitNote(f.room, ALICE, draft("note-000001"));
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({ id: "note-000001", text: "Plus de temps pour parler", state: "shown" }),
    });
    const { loaded } = await f.reopened();
    expect(notesMap(loaded.docs.room).get("note-000001")).toMatchObject({
      id: "note-000001",
      text: "Plus de temps pour parler",
      prompt: "p1",
      category: "c1",
      author: "Léa",
      status: "visible",
    });
    expect(loaded.owners.get("note-000001")).toBe(ALICE);
  });

  it("[P2] a resent note is acknowledged again and stored once", async () => {
    const first = await submitNote(f.room, ALICE, draft("note-000001"));
    const again = await submitNote(f.room, ALICE, draft("note-000001", { text: "changed on resend" }));
    expect(again).toEqual(first);
    const { loaded } = await f.reopened();
    expect([...notesMap(loaded.docs.room).keys()]).toEqual(["note-000001"]);
    expect(notesMap(loaded.docs.room).get("note-000001")?.text).toBe("Plus de temps pour parler");
    expect(f.room.ledger.notesOf(ALICE)).toEqual(["note-000001"]);
  });

  it("[P2] the same id from another participant is refused not_yours", async () => {
    await submitNote(f.room, ALICE, draft("note-000001"));
    expect(await submitNote(f.room, BOB, draft("note-000001", { text: "mine now" }))).toEqual({
      ok: false,
      reason: "not_yours",
    });
    expect(notesMap(f.room.docs.room).get("note-000001")?.text).toBe("Plus de temps pour parler");
    expect(f.room.ledger.ownerOf("note-000001")).toBe(ALICE);
  });

  it.each([
    ["empty text", { text: "   " }, "empty_text"],
    ["text too long", { text: "x".repeat(LIMITS.noteTextMax + 1) }, "text_too_long"],
    ["author too long", { author: "a".repeat(LIMITS.authorMax + 1) }, "author_too_long"],
    ["unknown prompt", { prompt: "p9" }, "unknown_prompt"],
    ["unknown category", { category: "c9" }, "unknown_category"],
  ] as const)("[P1] %s is refused and nothing is stored", async (_, fields, reason) => {
    expect(await submitNote(f.room, ALICE, draft("note-000001", fields))).toEqual({ ok: false, reason });
    expect(notesMap(f.room.docs.room).size).toBe(0);
    expect(f.room.ledger.ownerOf("note-000001")).toBeUndefined();
    const { loaded } = await f.reopened();
    expect(loaded.owners.size).toBe(0);
  });

  it("[P1] a text of exactly the limit is accepted; no category is allowed", async () => {
    const result = await submitNote(
      f.room,
      ALICE,
      draft("note-000001", { text: "x".repeat(LIMITS.noteTextMax), category: "" }),
    );
    expect(result.ok).toBe(true);
  });

  it("[P1] a locked board refuses new notes", async () => {
    await f.settings({ submissions: "locked" });
    expect(await submitNote(f.room, ALICE, draft("note-000001"))).toEqual({ ok: false, reason: "submissions_locked" });
    expect(notesMap(f.room.docs.room).size).toBe(0);
  });

  it("[P1] the vote phase forbids posting", async () => {
    await f.settings({ phase: "vote" });
    expect(await submitNote(f.room, ALICE, draft("note-000001"))).toEqual({ ok: false, reason: "phase_forbids" });
  });

  it("[P1] a participant posting too fast is told when to retry", async () => {
    // Ahead of the clock the bucket was made with, so that every take sees the same instant.
    const now = Date.now() + 60_000;
    for (let i = 0; i < LIMITS.noteBurst; i++) {
      expect((await submitNote(f.room, ALICE, draft(`note-${String(i).padStart(6, "0")}`), now)).ok).toBe(true);
    }
    const refused = await submitNote(f.room, ALICE, draft("note-toomany"), now);
    expect(refused).toEqual({ ok: false, reason: "rate_limited", retryAfterMs: LIMITS.noteRefillMs });
    // Another participant has their own bucket.
    expect((await submitNote(f.room, BOB, draft("note-bob-0001"), now)).ok).toBe(true);
    // Once the bucket refills, the participant may post again.
    expect((await submitNote(f.room, ALICE, draft("note-toomany"), now + LIMITS.noteRefillMs)).ok).toBe(true);
  });

  it("[P1] edit and withdraw are for the note's owner only", async () => {
    await submitNote(f.room, ALICE, draft("note-000001"));
    expect(await editNote(f.room, BOB, draft("note-000001", { text: "hijacked" }))).toEqual({
      ok: false,
      reason: "not_yours",
    });
    expect(await withdrawNote(f.room, BOB, "note-000001")).toEqual({ ok: false, reason: "not_yours" });
    expect(await editNote(f.room, ALICE, draft("note-unknown"))).toEqual({ ok: false, reason: "no_such_note" });
    expect(notesMap(f.room.docs.room).get("note-000001")?.text).toBe("Plus de temps pour parler");

    const edited = await editNote(f.room, ALICE, draft("note-000001", { text: "Plus de pauses" }));
    expect(edited).toEqual({ ok: true, value: expect.objectContaining({ text: "Plus de pauses", state: "shown" }) });
    expect((await f.reopened()).loaded.docs.room.getMap("notes").get("note-000001")).toMatchObject({
      text: "Plus de pauses",
    });

    const withdrawn = await withdrawNote(f.room, ALICE, "note-000001");
    expect(withdrawn).toEqual({ ok: true, value: expect.objectContaining({ state: "withdrawn" }) });
    const { loaded } = await f.reopened();
    expect(notesMap(loaded.docs.room).has("note-000001")).toBe(false);
  });

  it("[P1] an edit is checked like a submission", async () => {
    await submitNote(f.room, ALICE, draft("note-000001"));
    expect(await editNote(f.room, ALICE, draft("note-000001", { text: "" }))).toEqual({
      ok: false,
      reason: "empty_text",
    });
    expect(await editNote(f.room, ALICE, draft("note-000001", { prompt: "nope" }))).toEqual({
      ok: false,
      reason: "unknown_prompt",
    });
  });
});

describe("notes on a board under controlled moderation", () => {
  let f: RoomFixture;
  beforeEach(async () => {
    f = await openRoom({ moderation: "controlled" });
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it("[R3] a new note waits in the inbox document, out of the room", async () => {
    const result = await submitNote(f.room, ALICE, draft("note-000001"));
    expect(result).toEqual({ ok: true, value: expect.objectContaining({ state: "waiting_approval" }) });
    expect(notesMap(f.room.docs.room).has("note-000001")).toBe(false);
    expect(notesMap(f.room.docs.inbox).get("note-000001")?.status).toBe("pending");
    const { loaded } = await f.reopened();
    expect(notesMap(loaded.docs.inbox).get("note-000001")?.status).toBe("pending");
    expect(notesMap(loaded.docs.room).has("note-000001")).toBe(false);
  });

  it("[R3] a pending note withdrawn by its owner leaves the inbox", async () => {
    await submitNote(f.room, ALICE, draft("note-000001"));
    expect((await withdrawNote(f.room, ALICE, "note-000001")).ok).toBe(true);
    const { loaded } = await f.reopened();
    expect(notesMap(loaded.docs.inbox).has("note-000001")).toBe(false);
  });
});

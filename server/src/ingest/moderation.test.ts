import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { notesMap } from "@atelier/shared/document/docLayout";
import { LIMITS } from "@atelier/shared/wire/limits";
import { openRoom, type RoomFixture } from "../testing/roomFixture.ts";
import { moderateNote } from "./moderation.ts";
import { myNote, submitNote } from "./notes.ts";

const ALICE = "participant-hash-alice";
const ID = "note-000001";

async function post(f: RoomFixture): Promise<void> {
  const posted = await submitNote(f.room, ALICE, { id: ID, text: "Une idée", prompt: "p1", category: "", author: "" });
  expect(posted.ok).toBe(true);
}

describe("moderation", () => {
  let f: RoomFixture;
  beforeEach(async () => {
    f = await openRoom();
    await post(f);
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it("[C1] hiding moves the note from the room document to the inbox, on disk too", async () => {
    const result = await moderateNote(f.room, ID, { action: "hide" }, 42);
    expect(result).toEqual({ ok: true, value: expect.objectContaining({ id: ID, status: "hidden", updatedAt: 42 }) });
    expect(notesMap(f.room.docs.room).has(ID)).toBe(false);
    expect(notesMap(f.room.docs.inbox).get(ID)?.status).toBe("hidden");
    expect(myNote(f.room, ID).state).toBe("hidden");
    const { loaded } = await f.reopened();
    expect(notesMap(loaded.docs.room).has(ID)).toBe(false);
    expect(notesMap(loaded.docs.inbox).get(ID)?.status).toBe("hidden");
  });

  it("[C1] unhiding brings it back to the room", async () => {
    await moderateNote(f.room, ID, { action: "hide" });
    expect((await moderateNote(f.room, ID, { action: "unhide" })).ok).toBe(true);
    expect(notesMap(f.room.docs.inbox).has(ID)).toBe(false);
    expect(notesMap(f.room.docs.room).get(ID)?.status).toBe("visible");
    const { loaded } = await f.reopened();
    expect(notesMap(loaded.docs.room).get(ID)?.status).toBe("visible");
    expect(notesMap(loaded.docs.inbox).has(ID)).toBe(false);
  });

  it("an edit corrects the text; an empty or too long one is refused", async () => {
    expect(await moderateNote(f.room, ID, { action: "edit", text: "  \n " })).toEqual({
      ok: false,
      reason: "empty_text",
    });
    expect(await moderateNote(f.room, ID, { action: "edit", text: "x".repeat(LIMITS.noteTextMax + 1) })).toEqual({
      ok: false,
      reason: "text_too_long",
    });
    expect(notesMap(f.room.docs.room).get(ID)?.text).toBe("Une idée");
    expect((await moderateNote(f.room, ID, { action: "edit", text: "Une meilleure idée" })).ok).toBe(true);
    const { loaded } = await f.reopened();
    expect(notesMap(loaded.docs.room).get(ID)?.text).toBe("Une meilleure idée");
  });

  it("an unknown note is refused no_such_note", async () => {
    for (const action of ["approve", "hide", "unhide"] as const) {
      expect(await moderateNote(f.room, "note-nothere", { action })).toEqual({ ok: false, reason: "no_such_note" });
    }
    expect(await moderateNote(f.room, "note-nothere", { action: "edit", text: "x" })).toEqual({
      ok: false,
      reason: "no_such_note",
    });
  });
});

describe("moderation of a controlled board", () => {
  let f: RoomFixture;
  beforeEach(async () => {
    f = await openRoom({ moderation: "controlled" });
    await post(f);
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it("[R3] approving a pending note moves it from the inbox to the room", async () => {
    expect(notesMap(f.room.docs.inbox).get(ID)?.status).toBe("pending");
    expect((await moderateNote(f.room, ID, { action: "approve" })).ok).toBe(true);
    expect(notesMap(f.room.docs.inbox).has(ID)).toBe(false);
    expect(notesMap(f.room.docs.room).get(ID)?.status).toBe("visible");
    expect(myNote(f.room, ID).state).toBe("shown");
    const { loaded } = await f.reopened();
    expect(notesMap(loaded.docs.room).get(ID)?.status).toBe("visible");
    expect(notesMap(loaded.docs.inbox).has(ID)).toBe(false);
  });
});

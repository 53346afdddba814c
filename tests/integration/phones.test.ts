import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { readNotes } from "@atelier/shared/document/docLayout";
import { LIMITS } from "@atelier/shared/wire/limits";
import { startTestRelay, createTestBoard, removeDir } from "../support/relay.ts";
import { connectScreen, waitFor } from "../support/screens.ts";
import { PhoneClient } from "../support/phoneClient.ts";
import { boardDigest } from "../support/db.ts";

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;

describe("phones posting notes", () => {
  let relay: TestRelay;
  let board: Awaited<ReturnType<typeof createTestBoard>>;
  const phones: PhoneClient[] = [];

  beforeAll(async () => {
    relay = await startTestRelay();
    board = await createTestBoard(relay.localUrl);
  });
  afterAll(async () => {
    phones.forEach((p) => p.close());
    await relay.close();
    removeDir(relay.dataDir);
  });

  async function phone(participant?: string): Promise<PhoneClient> {
    const p = await PhoneClient.connect(relay.localUrl, board.joinCode, participant);
    phones.push(p);
    return p;
  }

  it("welcomes a phone with the board's title, prompts and categories, and nothing of others' notes", async () => {
    const other = await phone();
    await other.submit({ text: "Une note d'un autre téléphone" });
    const p = await phone();
    expect(p.welcome?.board.title).toBe("Journée interprofessionnelle");
    expect(p.welcome?.board.prompts.map((x) => x.label)).toEqual([
      "Ce que je retiens",
      "Ce dont j'ai besoin",
      "Une action à lancer",
    ]);
    expect(p.welcome?.board.categories).toHaveLength(5);
    expect(p.welcome?.notes).toEqual([]);
  });

  it("stores a note with its fields, acknowledges it, and a facilitator's document holds it", async () => {
    const p = await phone();
    const reply = await p.request({
      type: "submit",
      id: "note-fields-0001",
      text: "  Former les équipes\u0007 au repérage  ",
      prompt: "p2",
      category: "c3",
      author: "Camille",
    });
    expect(reply).toMatchObject({ type: "ack", op: "submit", id: "note-fields-0001" });
    const f = connectScreen(relay.localUrl, board.boardId, board.tokens.facilitator);
    await f.synced();
    const note = readNotes(f.doc).find((n) => n.id === "note-fields-0001");
    expect(note).toMatchObject({
      text: "Former les équipes au repérage",
      prompt: "p2",
      category: "c3",
      author: "Camille",
      status: "visible",
    });
    // No address, agent or participant secret travels with the note.
    expect(Object.keys(note!).sort()).toEqual([
      "author",
      "category",
      "createdAt",
      "id",
      "prompt",
      "status",
      "text",
      "updatedAt",
    ]);
    f.destroy();
  });

  it("acknowledges the same id twice and stores it once", async () => {
    const p = await phone();
    const draft = {
      type: "submit" as const,
      id: "note-replayed-01",
      text: "Deux fois",
      prompt: "p1",
      category: "",
      author: "",
    };
    expect((await p.request(draft)).type).toBe("ack");
    const digest = boardDigest(relay, board.boardId);
    expect((await p.request(draft)).type).toBe("ack");
    expect(boardDigest(relay, board.boardId)).toBe(digest);
    const room = await relay.rooms.open(board.boardId);
    expect(readNotes(room.docs.room).filter((n) => n.id === "note-replayed-01")).toHaveLength(1);
  });

  it.each([
    ["empty text", { text: "   \n " }, "empty_text"],
    ["oversized text", { text: "x".repeat(LIMITS.noteTextMax + 1) }, "text_too_long"],
    ["an unknown prompt", { text: "ok", prompt: "p99" }, "unknown_prompt"],
    ["an unknown category", { text: "ok", category: "nope" }, "unknown_category"],
    ["an oversized author", { text: "ok", author: "a".repeat(LIMITS.authorMax + 1) }, "author_too_long"],
  ])("refuses %s with a reason and stores nothing", async (_name, draft, reason) => {
    const p = await phone();
    const digest = boardDigest(relay, board.boardId);
    const reply = await p.submit(draft);
    expect(reply).toMatchObject({ type: "refused", reason });
    expect(boardDigest(relay, board.boardId)).toBe(digest);
  });

  it("refuses garbage frames with bad_message and keeps the phone connected", async () => {
    const p = await phone();
    const digest = boardDigest(relay, board.boardId);
    for (const junk of [
      "not json",
      "{}",
      '{"type":"submit","id":"short"}',
      JSON.stringify({ type: "submit", id: "x".repeat(200), text: "a", prompt: "p1", category: "", author: "" }),
    ]) {
      p.send(junk);
    }
    p.ws.send(Buffer.from([1, 2, 3]));
    await waitFor(() => p.messages.filter((m) => m.type === "refused" && m.reason === "bad_message").length === 5);
    expect(boardDigest(relay, board.boardId)).toBe(digest);
    expect((await p.submit({ text: "Toujours là" })).type).toBe("ack");
  });

  it("closes a phone frame over the size limit", async () => {
    const p = await phone();
    p.send("x".repeat(LIMITS.phoneFrameBytes + 10));
    await waitFor(() => p.closeCode !== null);
    expect(p.closeCode).toBe(1009);
  });

  it("rate-limits a flood from one phone while other phones are unaffected", async () => {
    const flooder = await phone();
    const calm = await phone();
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => flooder.submit({ text: `flood ${i}` })));
    const acked = replies.filter((r) => r.type === "ack").length;
    expect(acked).toBe(LIMITS.noteBurst);
    expect(replies.filter((r) => r.type === "refused" && r.reason === "rate_limited")).toHaveLength(
      40 - LIMITS.noteBurst,
    );
    expect((await calm.submit({ text: "Je ne suis pas limité" })).type).toBe("ack");
  });

  it("closes a phone that sends 1,000 messages a second", async () => {
    const flooder = await phone();
    const calm = await phone();
    for (let i = 0; i < 1000; i++) flooder.send("{}");
    await waitFor(() => flooder.closeCode !== null);
    expect(flooder.closeCode).toBe(4529);
    expect((await calm.submit({ text: "Toujours en ligne" })).type).toBe("ack");
  });

  it("lets a participant edit and withdraw only their own notes", async () => {
    const alice = await phone("alice-participant-secret");
    const mallory = await phone("mallory-participant-secret");
    const id = "note-of-alice-0001";
    await alice.request({ type: "submit", id, text: "Texte d'Alice", prompt: "p1", category: "", author: "" });
    const digest = boardDigest(relay, board.boardId);
    const forged = { id, text: "Texte changé", prompt: "p1", category: "", author: "" };
    expect(await mallory.request({ type: "edit", ...forged })).toMatchObject({ type: "refused", reason: "not_yours" });
    expect(await mallory.request({ type: "withdraw", id })).toMatchObject({ type: "refused", reason: "not_yours" });
    expect(await mallory.request({ type: "submit", ...forged })).toMatchObject({
      type: "refused",
      reason: "not_yours",
    });
    expect(boardDigest(relay, board.boardId)).toBe(digest);

    expect(await alice.request({ type: "edit", ...forged })).toMatchObject({
      type: "ack",
      note: { text: "Texte changé", state: "shown" },
    });
    // The same device comes back later: it sees its note.
    const again = await phone("alice-participant-secret");
    expect(again.welcome?.notes.map((n) => n.id)).toEqual([id]);
    expect(await alice.request({ type: "withdraw", id })).toMatchObject({ type: "ack", note: { state: "withdrawn" } });
    const room = await relay.rooms.open(board.boardId);
    expect(readNotes(room.docs.room).some((n) => n.id === id)).toBe(false);
  });

  it("refuses notes after the lock, tells phones, and accepts again after unlock", async () => {
    const p = await phone();
    const lock = (submissions: "open" | "locked") =>
      fetch(`${relay.localUrl}/api/boards/${board.boardId}/settings`, {
        method: "PATCH",
        headers: { Authorization: `Bearer ${board.tokens.facilitator}`, "Content-Type": "application/json" },
        body: JSON.stringify({ submissions }),
      });
    // A projector link may not lock.
    const denied = await fetch(`${relay.localUrl}/api/boards/${board.boardId}/settings`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${board.tokens.projector}` },
      body: JSON.stringify({ submissions: "locked" }),
    });
    expect(denied.status).toBe(403);
    expect((await lock("locked")).status).toBe(200);
    await waitFor(() => p.messages.some((m) => m.type === "board" && m.board.submissions === "locked"));
    expect(await p.submit({ text: "Trop tard" })).toMatchObject({ type: "refused", reason: "submissions_locked" });
    await lock("open");
    expect((await p.submit({ text: "Rouvert" })).type).toBe("ack");
  });

  it("keeps notes of controlled mode out of the room document until approved, and tells the author", async () => {
    const controlled = await createTestBoard(relay.localUrl, { moderation: "controlled" });
    const p = await PhoneClient.connect(relay.localUrl, controlled.joinCode);
    phones.push(p);
    const projector = connectScreen(relay.localUrl, controlled.boardId, controlled.tokens.projector);
    await projector.synced();
    const reply = await p.request({
      type: "submit",
      id: "note-moderated-01",
      text: "Un prénom à retirer: Léa",
      prompt: "p1",
      category: "",
      author: "",
    });
    expect(reply).toMatchObject({ type: "ack", note: { state: "waiting_approval" } });
    const room = await relay.rooms.open(controlled.boardId);
    expect(readNotes(room.docs.room)).toEqual([]);
    expect(readNotes(room.docs.inbox).map((n) => n.id)).toEqual(["note-moderated-01"]);

    const moderate = (body: object) =>
      fetch(`${relay.localUrl}/api/boards/${controlled.boardId}/notes/note-moderated-01`, {
        method: "POST",
        headers: { Authorization: `Bearer ${controlled.tokens.facilitator}` },
        body: JSON.stringify(body),
      });
    expect((await moderate({ action: "edit", text: "Un prénom à retirer: [retiré]" })).status).toBe(200);
    expect((await moderate({ action: "approve" })).status).toBe(200);
    await waitFor(() => p.messages.some((m) => m.type === "noteState" && m.note.state === "shown"));
    await waitFor(() => readNotes(projector.doc).length === 1);
    expect(readNotes(projector.doc)[0]!.text).toBe("Un prénom à retirer: [retiré]");
    // The projector's copy never held the original text.
    expect(Buffer.from(Y.encodeStateAsUpdate(projector.doc)).toString("utf8")).not.toContain("Léa");

    expect((await moderate({ action: "hide" })).status).toBe(200);
    await waitFor(() => p.messages.some((m) => m.type === "noteState" && m.note.state === "hidden"));
    await waitFor(() => readNotes(projector.doc).length === 0);
    projector.destroy();
  });
});

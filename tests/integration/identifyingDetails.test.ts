import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { readNotes } from "@atelier/shared/document/docLayout";
import { startTestRelay, createTestBoard, removeDir } from "../support/relay.ts";
import { PhoneClient } from "../support/phoneClient.ts";
import { connectScreen, waitFor } from "../support/screens.ts";

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;

// One relay for the file: each test makes its own board.
let relay: TestRelay;
beforeAll(async () => {
  relay = await startTestRelay();
});
afterAll(async () => {
  await relay.close();
  removeDir(relay.dataDir);
});

describe("[P4] a note with an identifying detail is held back from the room, in open mode too", () => {
  it("never reaches the projector's document until the facilitator edits the number out, and the phone sees it waiting", async () => {
    const board = await createTestBoard(relay.localUrl, { moderation: "open" });
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${relay.localUrl}/api/boards/${board.boardId}${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${board.tokens.facilitator}` },
      });
    // A stock y-websocket client on the projector link, from before the notes arrive.
    const projector = connectScreen(relay.localUrl, board.boardId, board.tokens.projector);
    await projector.synced();
    const bytesSeen: Uint8Array[] = [];
    projector.doc.on("update", (update: Uint8Array) => bytesSeen.push(update));

    const phone = await PhoneClient.connect(relay.localUrl, board.joinCode);
    const held = await phone.submit({ text: "Rappeler la maman de la petite au 06 12 34 56 78 ce soir" });
    const plain = await phone.submit({ text: "Un annuaire commun des partenaires" });
    expect(held).toMatchObject({ type: "ack", note: { state: "waiting_approval" } });
    expect(plain).toMatchObject({ type: "ack", note: { state: "shown" } });
    await waitFor(() => readNotes(projector.doc).length === 1, 5_000, "the plain note on the projector");

    const flags = (await (await api("/flags")).json()) as { version: number; flags: Record<string, unknown>[] };
    expect(flags.version).toBe(1);
    const heldId = held.type === "ack" ? held.id : "";
    expect(flags.flags).toEqual([
      { noteId: heldId, kind: "phone", start: 34, end: 48, text: "06 12 34 56 78", confidence: "sure" },
    ]);

    // The facilitator replaces the number (what the panel's one click does), then approves.
    const edited = await api(`/notes/${heldId}`, {
      method: "POST",
      body: JSON.stringify({ action: "edit", text: "Rappeler la maman de la petite au [téléphone] ce soir" }),
    });
    expect(edited.status).toBe(200);
    expect((await api(`/notes/${heldId}`, { method: "POST", body: '{"action":"approve"}' })).status).toBe(200);
    await waitFor(() => readNotes(projector.doc).length === 2, 5_000, "the approved note on the projector");
    expect(readNotes(projector.doc).map((n) => n.text)).toContain(
      "Rappeler la maman de la petite au [téléphone] ce soir",
    );
    // Not in any frame the projector received, nor in the state it holds.
    const everything = Buffer.concat([...bytesSeen, Y.encodeStateAsUpdate(projector.doc)].map((b) => Buffer.from(b)));
    expect(everything.includes(Buffer.from("06 12 34 56 78"))).toBe(false);
    await waitFor(
      () => phone.messages.some((m) => m.type === "noteState" && m.note.id === heldId && m.note.state === "shown"),
      5_000,
      "the phone told its note is shown",
    );
    projector.destroy();
    phone.close();
  });
});

describe("[P4] the ways a note reaches the room are all checked", () => {
  it("redacts on the relay, keeps an approved detail approved through a typo fix, holds a new one, and checks imports", async () => {
    const board = await createTestBoard(relay.localUrl, { moderation: "open" });
    const moderate = (id: string, body: object) =>
      fetch(`${relay.localUrl}/api/boards/${board.boardId}/notes/${id}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${board.tokens.facilitator}` },
        body: JSON.stringify(body),
      });
    const phone = await PhoneClient.connect(relay.localUrl, board.joinCode);
    const held = await phone.submit({ text: "Appeler M. Dupont au 06 12 34 56 78" });
    const id = held.type === "ack" ? held.id : "";
    const redacted = (await (await moderate(id, { action: "redact" })).json()) as {
      note: { text: string; status: string };
    };
    expect(redacted.note).toMatchObject({ text: "Appeler [nom] au [téléphone]", status: "visible" });

    // Approved as is, then its author fixes a typo: it stays on the wall; a new number sends it back.
    const other = await phone.submit({ text: "Voir Mme Martin demain" });
    const otherId = other.type === "ack" ? other.id : "";
    expect((await moderate(otherId, { action: "approve" })).status).toBe(200);
    expect(await phone.edit({ id: otherId, text: "Voir Mme Martin demain matin" })).toMatchObject({
      note: { state: "shown" },
    });
    expect(await phone.edit({ id: otherId, text: "Voir Mme Martin au 06 98 76 54 32" })).toMatchObject({
      note: { state: "waiting_approval" },
    });
    phone.close();

    // An imported board is checked like phones are.
    const exported = await fetch(`${relay.localUrl}/api/boards/${board.boardId}/snapshots/live/board.json`, {
      headers: { Authorization: `Bearer ${board.tokens.coordinator}` },
    });
    const json = (await exported.json()) as { notes: { text: string }[] };
    json.notes.push({ ...json.notes[0]!, id: "imported-1", text: "Kevin D. en 4e3" } as never);
    const imported = await fetch(`${relay.localUrl}/api/boards/import`, { method: "POST", body: JSON.stringify(json) });
    expect(imported.status).toBe(201);
    const copy = (await imported.json()) as { boardId: string; links: Record<string, string> };
    const projector = connectScreen(
      relay.localUrl,
      copy.boardId,
      new URL(copy.links.projector!).hash.replace("#key=", ""),
    );
    await projector.synced();
    const texts = readNotes(projector.doc).map((n) => n.text);
    expect(texts).toContain("Appeler [nom] au [téléphone]");
    expect(texts).not.toContain("Kevin D. en 4e3");
    projector.destroy();
  });
});

describe("theme suggestions over the relay's API", () => {
  it("answers the facilitator with the documented shape, and refuses a bad theme count and other links", async () => {
    const board = await createTestBoard(relay.localUrl);
    const texts = [
      "Former les profs au repérage",
      "Une formation commune pour les enseignants",
      "Les parents ne savent pas quoi faire des écrans",
      "Associer les familles aux actions",
      "Le harcèlement continue sur Snapchat le soir",
      "Les réseaux sociaux amplifient les rumeurs",
    ];
    for (let i = 0; i < texts.length; i += 3) {
      const phone = await PhoneClient.connect(relay.localUrl, board.joinCode);
      for (const text of texts.slice(i, i + 3)) expect((await phone.submit({ text })).type).toBe("ack");
      phone.close();
    }
    const get = (query: string, token = board.tokens.facilitator) =>
      fetch(`${relay.localUrl}/api/boards/${board.boardId}/suggestions${query}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
    const res = await get("?themes=3");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & {
      themes: { id: string; label: string; keywords: string[]; noteIds: string[] }[];
      unthemed: string[];
    };
    expect(Object.keys(body).sort()).toEqual(["duplicates", "placements", "themes", "unthemed", "version"]);
    expect(body.version).toBe(1);
    expect(body.themes.length).toBeGreaterThanOrEqual(1);
    for (const theme of body.themes) {
      expect(Object.keys(theme).sort()).toEqual(["id", "keywords", "label", "noteIds"]);
      expect(theme.label.length).toBeGreaterThan(0);
    }
    // Every note is in exactly one theme or left unthemed (no theme exists yet, so no placements).
    const all = [...body.themes.flatMap((t) => t.noteIds), ...body.unthemed].sort();
    expect(all).toHaveLength(texts.length);
    expect(new Set(all).size).toBe(texts.length);
    expect(body.placements).toEqual([]);
    expect((await get("?themes=0")).status).toBe(400);
    expect((await get("?themes=abc")).status).toBe(400);
    expect((await get("", board.tokens.projector)).status).toBe(403);
  });
});

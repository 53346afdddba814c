import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import * as Y from "yjs";
import * as encoding from "lib0/encoding";
import { CloseCode } from "@atelier/shared/wire/closeCodes";
import { SyncMessage, SyncStep, boardSocketPath } from "@atelier/shared/wire/syncProtocol";
import { startTestRelay, createTestBoard, removeDir } from "../support/relay.ts";
import { PhoneClient } from "../support/phoneClient.ts";
import { boardDigest } from "../support/db.ts";

type Link = "facilitator" | "projector" | "coordinator" | "participant";

/**
 * Every write path, tried with every link. Only the roles in `allowed` may
 * pass; for the others the relay itself refuses and stores nothing.
 */
const WRITES: { name: string; allowed: Link[]; method: string; path: (id: string) => string; body?: unknown }[] = [
  {
    name: "lock submissions",
    allowed: ["facilitator"],
    method: "PATCH",
    path: (id) => `/api/boards/${id}/settings`,
    body: { submissions: "locked" },
  },
  {
    name: "hide a note",
    allowed: ["facilitator"],
    method: "POST",
    path: (id) => `/api/boards/${id}/notes/note-roles-00001`,
    body: { action: "hide" },
  },
  {
    name: "edit a note",
    allowed: ["facilitator"],
    method: "POST",
    path: (id) => `/api/boards/${id}/notes/note-roles-00001`,
    body: { action: "edit", text: "x" },
  },
  {
    name: "take a snapshot",
    allowed: ["facilitator"],
    method: "POST",
    path: (id) => `/api/boards/${id}/snapshots`,
    body: { name: "x" },
  },
  {
    name: "close the day",
    allowed: ["facilitator"],
    method: "POST",
    path: (id) => `/api/boards/${id}/close`,
    body: {},
  },
  {
    name: "rotate the projector link",
    allowed: ["facilitator", "coordinator"],
    method: "POST",
    path: (id) => `/api/boards/${id}/links/projector`,
  },
  {
    name: "set retention",
    allowed: ["coordinator"],
    method: "PATCH",
    path: (id) => `/api/boards/${id}/retention`,
    body: { days: 30 },
  },
  { name: "delete the board", allowed: ["coordinator"], method: "DELETE", path: (id) => `/api/boards/${id}` },
];

function updateFrame(): Uint8Array {
  const doc = new Y.Doc();
  doc.getMap("settings").set("title", "piraté");
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, SyncMessage.sync);
  encoding.writeVarUint(e, SyncStep.update);
  encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc));
  return encoding.toUint8Array(e);
}

describe("roles are enforced by the relay", () => {
  let relay: Awaited<ReturnType<typeof startTestRelay>>;
  let board: Awaited<ReturnType<typeof createTestBoard>>;
  const tokenOf = (link: Link) => (link === "participant" ? board.joinCode : board.tokens[link]);

  beforeAll(async () => {
    relay = await startTestRelay();
    board = await createTestBoard(relay.localUrl);
    const phone = await PhoneClient.connect(relay.localUrl, board.joinCode);
    await phone.request({
      type: "submit",
      id: "note-roles-00001",
      text: "Une note",
      prompt: "p1",
      category: "",
      author: "",
    });
    phone.close();
  });
  afterAll(async () => {
    await relay.close();
    removeDir(relay.dataDir);
  });

  for (const write of WRITES) {
    for (const link of (["projector", "coordinator", "participant"] as Link[]).filter(
      (l) => !write.allowed.includes(l),
    )) {
      it(`refuses "${write.name}" from the ${link} link`, async () => {
        const before = boardDigest(relay, board.boardId);
        const res = await fetch(relay.localUrl + write.path(board.boardId), {
          method: write.method,
          headers: { Authorization: `Bearer ${tokenOf(link)}` },
          body: write.body === undefined ? undefined : JSON.stringify(write.body),
        });
        // The projector and coordinator links are links of another role: 403. The participant has no
        // bearer link at all (its join code is not a token): 401, as for any wrong token.
        expect(res.status).toBe(link === "participant" ? 401 : 403);
        expect(boardDigest(relay, board.boardId)).toBe(before);
      });
    }
  }

  for (const link of ["projector", "coordinator"] as const) {
    it(`refuses Yjs writes from the ${link} link and closes it with 4403`, async () => {
      const before = boardDigest(relay, board.boardId);
      const url = `${relay.localUrl.replace("http", "ws")}${boardSocketPath(board.boardId)}/room?token=${board.tokens[link]}`;
      const code = await new Promise<number>((resolve) => {
        const ws = new WebSocket(url);
        ws.on("open", () => [1, 2, 3].forEach(() => ws.send(updateFrame())));
        ws.on("close", (c) => resolve(c));
      });
      expect(code).toBe(CloseCode.Forbidden);
      await relay.storage.whenCommitted();
      expect(boardDigest(relay, board.boardId)).toBe(before);
    });
  }

  it("gives the participant's join code no board-screen access at all", async () => {
    const url = `${relay.localUrl.replace("http", "ws")}${boardSocketPath(board.boardId)}/room?token=${board.joinCode}`;
    const code = await new Promise<number>((resolve) => new WebSocket(url).on("close", (c) => resolve(c)));
    expect(code).toBe(CloseCode.Unauthorized);
  });

  it("refuses Yjs frames sent on a phone socket", async () => {
    const before = boardDigest(relay, board.boardId);
    const phone = await PhoneClient.connect(relay.localUrl, board.joinCode);
    phone.ws.send(updateFrame());
    await new Promise((r) => setTimeout(r, 200));
    expect(phone.messages.at(-1)).toMatchObject({ type: "refused", reason: "bad_message" });
    expect(boardDigest(relay, board.boardId)).toBe(before);
    phone.close();
  });
});

/**
 * The seven relay bugs the fuzzer found (commit "Fix seven relay bugs found by
 * the new fuzzer", docs/RELIABILITY.md), each with its offending input built
 * by hand: a raw HTTP request, a raw WebSocket frame, a Yjs update written
 * byte by byte. The seed replays in fuzz.test.ts stop reaching a bug as soon
 * as the generator draws in another order; these do not depend on it.
 *
 * Each test gets its own relay process: four of the bugs made the relay exit,
 * and a crash must fail the test that caused it, not the test run. Each one
 * asserts what a user would notice: the relay still answers, the board is
 * unchanged on disk, a stock client still loads it, a clear code or status.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type Database from "better-sqlite3";
import * as encoding from "lib0/encoding";
import { CloseCode } from "@atelier/shared/wire/closeCodes";
import { LIMITS } from "@atelier/shared/wire/limits";
import { SyncStep, boardSocketPath, phoneSocketPath } from "@atelier/shared/wire/syncProtocol";
import { createTestBoard, removeDir, spawnRelay, tempDataDir, type ChildRelay } from "../support/relay.ts";
import { connectScreen, waitFor } from "../support/screens.ts";
import { PhoneClient } from "../support/phoneClient.ts";
import { boardDigest } from "../support/db.ts";
import { rawHttp, rawSocket, syncFrame, syncFresh } from "../support/rawClients.ts";
import { openDb } from "../support/fuzz/index.ts";

/** Short, so that a board left alone is compacted and reloaded from disk within a test. */
const IDLE_UNLOAD_MS = 300;

let relay: ChildRelay;
let dataDir: string;
let db: Database.Database;
let exited: string | null;
let stderr: string;
let board: Awaited<ReturnType<typeof createTestBoard>>;

beforeEach(async () => {
  dataDir = tempDataDir();
  relay = await spawnRelay(dataDir, { IDLE_UNLOAD_MS: String(IDLE_UNLOAD_MS) });
  exited = null;
  stderr = "";
  relay.process.once("exit", (code, signal) => (exited = `exit code ${code}, signal ${signal}`));
  relay.process.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  db = openDb(dataDir);
  board = await createTestBoard(relay.url);
});

afterEach(async () => {
  db.close();
  if (!exited) await relay.stop();
  removeDir(dataDir);
});

// ---------------------------------------------------------------------------
// What a user would notice

async function expectRelayAlive(): Promise<void> {
  expect(exited, `the relay process exited:\n${stderr}`).toBeNull();
  const res = await fetch(`${relay.url}/api/health`);
  expect(res.status).toBe(200);
}

const wsBase = () => relay.url.replace(/^http/, "ws");
const facilitatorUrl = () => `${wsBase()}${boardSocketPath(board.boardId)}/room?token=${board.tokens.facilitator}`;

/** Another facilitator's screen, already synced: the room's reload fallback would close it with 4509. */
async function connectBystander(): Promise<ReturnType<typeof connectScreen>> {
  const screen = connectScreen(relay.url, board.boardId, board.tokens.facilitator);
  await screen.synced();
  return screen;
}

// ---------------------------------------------------------------------------
// Frames and updates written by hand

const binary = (data: Uint8Array) => ({ data, binary: true });

/** lib0 `Any` tags (what Yjs writes for JSON-like values). */
const ANY = { integer: 125, null: 126, string: 119, object: 118, array: 117, bytes: 116, bigint: 122 };
/** Yjs V1 struct info byte: content type in the low bits; 0x80 an origin follows, 0x20 a map key. */
const STRUCT = { deleted: 1, string: 4, any: 8, hasOrigin: 0x80, hasKey: 0x20 };

/**
 * An update of one new client with one struct at clock 0: `root.key = value`
 * (a map entry, parent named, no origin), the value written by `writeValue`.
 */
function mapSetUpdate(client: number, root: string, key: string, writeValue: (e: encoding.Encoder) => void) {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1); // one client
  encoding.writeVarUint(e, 1); // one struct
  encoding.writeVarUint(e, client);
  encoding.writeVarUint(e, 0); // from clock 0
  encoding.writeUint8(e, STRUCT.any | STRUCT.hasKey);
  encoding.writeVarUint(e, 1); // parent by name
  encoding.writeVarString(e, root);
  encoding.writeVarString(e, key);
  encoding.writeVarUint(e, 1); // one value
  writeValue(e);
  encoding.writeVarUint(e, 0); // no deletions
  return encoding.toUint8Array(e);
}

/**
 * `canvasMeta.x = {"__proto__": Uint8Array [1, 2, 3]}`: lib0 decodes it into an object whose
 * prototype is the Uint8Array, which no encoder can write back (the relay once died answering
 * the next sync step 1).
 */
function protoUpdate(client: number): Uint8Array {
  return mapSetUpdate(client, "canvasMeta", "x", (e) => {
    encoding.writeUint8(e, ANY.object);
    encoding.writeVarUint(e, 1);
    encoding.writeVarString(e, "__proto__");
    encoding.writeUint8(e, ANY.bytes);
    encoding.writeVarUint8Array(e, new Uint8Array([1, 2, 3]));
  });
}

/** `"ab"` in the text `t`, then a deleted item of length 0 right after it (origin: the "b"). */
function zeroLengthStructUpdate(client: number): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, 2); // two structs
  encoding.writeVarUint(e, client);
  encoding.writeVarUint(e, 0);
  encoding.writeUint8(e, STRUCT.string);
  encoding.writeVarUint(e, 1);
  encoding.writeVarString(e, "t");
  encoding.writeVarString(e, "ab"); // clocks 0 and 1
  encoding.writeUint8(e, STRUCT.deleted | STRUCT.hasOrigin);
  encoding.writeVarUint(e, client);
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, 0); // deleted content of length 0
  encoding.writeVarUint(e, 0);
  return encoding.toUint8Array(e);
}

/**
 * Two new clients whose items only refer to each other: x@0 after y@1, y@0
 * after x@0, y@1 after y@0. Every reference is inside the update, yet none
 * can be integrated first. `zeroLengthDelete` adds a deletion of length 0 at
 * y@1, which makes Y.applyUpdate throw after leaving the cycle pending.
 */
function cycleUpdate(x: number, y: number, zeroLengthDelete: boolean): Uint8Array {
  const e = encoding.createEncoder();
  const after = (origin: { client: number; clock: number }, text: string) => {
    encoding.writeUint8(e, STRUCT.string | STRUCT.hasOrigin);
    encoding.writeVarUint(e, origin.client);
    encoding.writeVarUint(e, origin.clock);
    encoding.writeVarString(e, text);
  };
  encoding.writeVarUint(e, 2); // two clients
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, x);
  encoding.writeVarUint(e, 0);
  after({ client: y, clock: 1 }, "a");
  encoding.writeVarUint(e, 2);
  encoding.writeVarUint(e, y);
  encoding.writeVarUint(e, 0);
  after({ client: x, clock: 0 }, "b");
  after({ client: y, clock: 0 }, "c");
  if (zeroLengthDelete) {
    encoding.writeVarUint(e, 1); // deletions of one client
    encoding.writeVarUint(e, y);
    encoding.writeVarUint(e, 1); // one range
    encoding.writeVarUint(e, 2); // from clock 2…
    encoding.writeVarUint(e, 0); // …of length 0
  } else encoding.writeVarUint(e, 0);
  return encoding.toUint8Array(e);
}

// ---------------------------------------------------------------------------

describe("relay bugs found by the fuzzer, each with its input built by hand", () => {
  it("bug `new URL('//[')`: a request target `//[` answers 400, on HTTP and on an upgrade, and the relay keeps running", async () => {
    const http = await rawHttp(relay.port, "GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    expect(http).toMatch(/^HTTP\/1\.1 400 /);
    expect(http.slice(http.indexOf("\r\n\r\n") + 4)).toBe(JSON.stringify({ error: "bad_request_target" }));
    const upgrade = await rawHttp(
      relay.port,
      "GET //[/ws/board/x/room HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    );
    expect(upgrade).toMatch(/^HTTP\/1\.1 400 /);
    await expectRelayAlive();
  });

  it("bug `error` event on refused sockets: a frame `ws` rejects, sent to a socket being refused, gets the refusal's code and the relay keeps running", async () => {
    // Invalid UTF-8 in a text frame, on a board socket with a wrong token (refused with 4401).
    const invalidUtf8 = Buffer.concat([Buffer.from('{"type":"hello","v":1,"p":"'), Buffer.from([0xc3, 0x28, 0xff])]);
    const screen = await rawSocket(`${wsBase()}${boardSocketPath(board.boardId)}/room?token=not-a-link`, [
      { data: invalidUtf8, binary: false },
    ]);
    expect(screen?.code).toBe(CloseCode.Unauthorized);
    // A frame over the phones' size limit, on a phone socket with an unknown join code (refused with 4404).
    const phone = await rawSocket(`${wsBase()}${phoneSocketPath("ZZZZZZ")}`, [
      { data: "x".repeat(LIMITS.phoneFrameBytes + 1), binary: false },
    ]);
    expect(phone?.code).toBe(CloseCode.UnknownBoard);
    await expectRelayAlive();
    const participant = await PhoneClient.connect(relay.url, board.joinCode);
    expect(participant.welcome?.board.title).toBe("Journée interprofessionnelle");
    participant.close();
  });

  describe("bug `__proto__` values", () => {
    it("a facilitator's `{__proto__: Uint8Array}` value is never stored, the relay keeps running and the next screen syncs without it", async () => {
      const before = boardDigest(db, board.boardId);
      const closed = await rawSocket(facilitatorUrl(), [binary(syncFrame(SyncStep.update, protoUpdate(0x5a5a01)))]);
      expect(closed, "the relay closes the sender").not.toBeNull();
      const fresh = await syncFresh(facilitatorUrl());
      expect(fresh.error).toBeNull();
      expect(fresh.doc.getMap("canvasMeta").has("x")).toBe(false);
      await expectRelayAlive();
      expect(boardDigest(db, board.boardId)).toBe(before);
    });

    it("the same value is refused with 4400 before it is applied, so the board's other screens stay connected", async () => {
      const bystander = await connectBystander();
      try {
        const closed = await rawSocket(facilitatorUrl(), [binary(syncFrame(SyncStep.update, protoUpdate(0x5a5a09)))]);
        expect(closed?.code).toBe(CloseCode.BadMessage);
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(bystander.closes).toEqual([]);
      } finally {
        bystander.destroy();
      }
    });
  });

  it("bug zero-length structs: an update holding a deleted struct of length 0 is refused with 4400, and the board still loads after its reload from disk", async () => {
    const before = boardDigest(db, board.boardId);
    const closed = await rawSocket(facilitatorUrl(), [
      binary(syncFrame(SyncStep.update, zeroLengthStructUpdate(0x5a5a02))),
    ]);
    expect(closed?.code).toBe(CloseCode.BadMessage);
    // Nobody is connected: the board is unloaded (compacted first if its log grew); the next screen loads it from disk.
    await new Promise((resolve) => setTimeout(resolve, IDLE_UNLOAD_MS * 3));
    const fresh = await syncFresh(facilitatorUrl());
    expect(fresh.error).toBeNull();
    expect(fresh.doc.getText("t").toString()).toBe("");
    await expectRelayAlive();
    expect(boardDigest(db, board.boardId)).toBe(before);
  });

  describe("bug dependency cycles left pending", () => {
    let bystander: ReturnType<typeof connectScreen>;
    beforeEach(async () => {
      bystander = await connectBystander();
    });
    afterEach(() => bystander.destroy());

    it("a causal cycle between two new clients is refused with 4509 before it is applied: the other screens stay connected", async () => {
      const before = boardDigest(db, board.boardId);
      const closed = await rawSocket(facilitatorUrl(), [
        binary(syncFrame(SyncStep.update, cycleUpdate(0x5a5a03, 0x5a5a04, false))),
      ]);
      expect(closed?.code).toBe(CloseCode.Resync);
      const fresh = await syncFresh(facilitatorUrl());
      expect(fresh).toMatchObject({ error: null, pending: false });
      expect(bystander.closes).toEqual([]);
      await expectRelayAlive();
      expect(boardDigest(db, board.boardId)).toBe(before);
    });

    it("a cycle with a zero-length deletion (Y.applyUpdate throws after leaving it pending) is refused with 4400: no screen is served pending structs", async () => {
      const before = boardDigest(db, board.boardId);
      const closed = await rawSocket(facilitatorUrl(), [
        binary(syncFrame(SyncStep.update, cycleUpdate(0x5a5a05, 0x5a5a06, true))),
      ]);
      expect(closed?.code).toBe(CloseCode.BadMessage);
      const fresh = await syncFresh(facilitatorUrl());
      expect(fresh).toMatchObject({ error: null, pending: false });
      expect(bystander.closes).toEqual([]);
      await expectRelayAlive();
      expect(boardDigest(db, board.boardId)).toBe(before);
    });
  });

  it("bug BigInt in settings: a facilitator's BigInt in settings.prompts is refused with 4400, and the next phone is welcomed with the board's prompts", async () => {
    const before = boardDigest(db, board.boardId);
    // settings.prompts = [{id: "p1", label: "Ce que je retiens", weight: 7n}]: JSON cannot write a BigInt
    // (the relay once died building the next phone's welcome).
    const update = mapSetUpdate(0x5a5a07, "settings", "prompts", (e) => {
      encoding.writeUint8(e, ANY.array);
      encoding.writeVarUint(e, 1);
      encoding.writeUint8(e, ANY.object);
      encoding.writeVarUint(e, 3);
      encoding.writeVarString(e, "id");
      encoding.writeUint8(e, ANY.string);
      encoding.writeVarString(e, "p1");
      encoding.writeVarString(e, "label");
      encoding.writeUint8(e, ANY.string);
      encoding.writeVarString(e, "Ce que je retiens");
      encoding.writeVarString(e, "weight");
      encoding.writeUint8(e, ANY.bigint);
      encoding.writeBigInt64(e, 7n);
    });
    const closed = await rawSocket(facilitatorUrl(), [binary(syncFrame(SyncStep.update, update))]);
    expect(closed?.code).toBe(CloseCode.BadMessage);
    const phone = await PhoneClient.connect(relay.url, board.joinCode);
    expect(phone.welcome?.board.prompts).toEqual([
      { id: "p1", label: "Ce que je retiens" },
      { id: "p2", label: "Ce dont j'ai besoin" },
      { id: "p3", label: "Une action à lancer" },
    ]);
    phone.close();
    await expectRelayAlive();
    expect(boardDigest(db, board.boardId)).toBe(before);
  });

  it("bug malformed canvas entries: a facilitator's `null`, `{key, val: {}}` and `{key: 1}` canvas entries are stored, and the live exports still answer 200", async () => {
    const watcher = connectScreen(relay.url, board.boardId, board.tokens.facilitator);
    await watcher.synced();
    const entries = watcher.doc.getArray("canvas").length;
    // One item of three `Any` values inserted at the start of the root array `canvas`.
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, 0x5a5a08);
    encoding.writeVarUint(e, 0);
    encoding.writeUint8(e, STRUCT.any);
    encoding.writeVarUint(e, 1);
    encoding.writeVarString(e, "canvas");
    encoding.writeVarUint(e, 3);
    encoding.writeUint8(e, ANY.null);
    encoding.writeUint8(e, ANY.object); // {key: "shape:x", val: {}}
    encoding.writeVarUint(e, 2);
    encoding.writeVarString(e, "key");
    encoding.writeUint8(e, ANY.string);
    encoding.writeVarString(e, "shape:x");
    encoding.writeVarString(e, "val");
    encoding.writeUint8(e, ANY.object);
    encoding.writeVarUint(e, 0);
    encoding.writeUint8(e, ANY.object); // {key: 1}
    encoding.writeVarUint(e, 1);
    encoding.writeVarString(e, "key");
    encoding.writeUint8(e, ANY.integer);
    encoding.writeVarInt(e, 1);
    encoding.writeVarUint(e, 0);
    // Valid Yjs and harmless content: the relay accepts it and keeps the socket open.
    const closed = await rawSocket(
      facilitatorUrl(),
      [binary(syncFrame(SyncStep.update, encoding.toUint8Array(e)))],
      1_000,
    );
    expect(closed).toBeNull();
    await waitFor(
      () => watcher.doc.getArray("canvas").length === entries + 3,
      5_000,
      "the junk entries to reach a screen",
    );
    watcher.destroy();
    for (const format of ["board.json", "tally.json", "tally.csv", "notes.csv"]) {
      const res = await fetch(`${relay.url}/api/boards/${board.boardId}/snapshots/live/${format}`, {
        headers: { Authorization: `Bearer ${board.tokens.facilitator}` },
      });
      expect(res.status, `the live ${format} export`).toBe(200);
    }
    expect((await syncFresh(facilitatorUrl())).error).toBeNull();
    await expectRelayAlive();
  });
});

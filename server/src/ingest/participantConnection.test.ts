import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { notesMap } from "@atelier/shared/document/docLayout";
import { CloseCode } from "@atelier/shared/wire/closeCodes";
import { LIMITS } from "@atelier/shared/wire/limits";
import { PHONE_PROTOCOL_VERSION, type PhoneServerMessage } from "@atelier/shared/wire/protocol";
import { openRoom, type RoomFixture } from "../testing/roomFixture.ts";
import { socketPair, type TestPeer } from "../transport/socketPair.ts";
import { ParticipantConnection } from "./participantConnection.ts";

const SECRET = "phone-secret-0001";

function connect(f: RoomFixture): TestPeer {
  const { relay, peer } = socketPair();
  new ParticipantConnection(relay, f.room, () => {});
  return peer;
}

function send(peer: TestPeer, message: object): void {
  peer.send(JSON.stringify(message));
}

/** The next message the relay sends, parsed. */
async function next(peer: TestPeer): Promise<PhoneServerMessage> {
  const frame = await peer.next();
  if (typeof frame !== "string") throw new Error("the relay sent a binary frame to a phone");
  return JSON.parse(frame) as PhoneServerMessage;
}

/** Reads on until a message of that type (others, such as noteState, may come first). */
async function nextOf<T extends PhoneServerMessage["type"]>(
  peer: TestPeer,
  type: T,
): Promise<Extract<PhoneServerMessage, { type: T }>> {
  for (;;) {
    const message = await next(peer);
    if (message.type === type) return message as Extract<PhoneServerMessage, { type: T }>;
  }
}

async function hello(peer: TestPeer, participant = SECRET): Promise<Extract<PhoneServerMessage, { type: "welcome" }>> {
  send(peer, { type: "hello", v: PHONE_PROTOCOL_VERSION, participant });
  return nextOf(peer, "welcome");
}

const submit = {
  type: "submit",
  id: "note-000001",
  text: "Un lieu pour se retrouver",
  prompt: "p1",
  category: "c2",
  author: "Sam",
};

describe("a phone's connection", () => {
  let f: RoomFixture;
  beforeEach(async () => {
    f = await openRoom();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it("answers hello with a welcome holding the board as phones see it", async () => {
    const welcome = await hello(connect(f));
    expect(welcome).toMatchObject({
      type: "welcome",
      v: PHONE_PROTOCOL_VERSION,
      notes: [],
      done: false,
      ballot: { targets: [], mine: {} },
      board: {
        title: "Journée des jeunes",
        prompts: [
          { id: "p1", label: "Ce qui marche" },
          { id: "p2", label: "Ce qui manque" },
        ],
        submissions: "open",
        phase: "collect",
      },
    });
    expect(typeof welcome.serverTime).toBe("number");
  });

  it("[D1] acknowledges a submitted note once it is stored", async () => {
    const peer = connect(f);
    await hello(peer);
    send(peer, submit);
    const ack = await nextOf(peer, "ack");
    expect(ack).toMatchObject({ op: "submit", id: "note-000001", note: { text: submit.text, state: "shown" } });
    const { loaded } = await f.reopened();
    expect(notesMap(loaded.docs.room).get("note-000001")?.text).toBe(submit.text);
    expect(loaded.owners.get("note-000001")).toBeDefined();
  });

  it("[P2] a phone reconnecting with its secret gets its notes back, and a resend is acknowledged again", async () => {
    const first = connect(f);
    await hello(first);
    send(first, submit);
    await nextOf(first, "ack");
    first.disconnect();

    const again = connect(f);
    const welcome = await hello(again);
    expect(welcome.notes).toEqual([expect.objectContaining({ id: "note-000001", state: "shown" })]);
    send(again, submit);
    expect(await nextOf(again, "ack")).toMatchObject({ op: "submit", id: "note-000001" });
    expect(notesMap(f.room.docs.room).size).toBe(1);
  });

  it("[P2] another phone sending the same note id is refused not_yours", async () => {
    const alice = connect(f);
    await hello(alice);
    send(alice, submit);
    await nextOf(alice, "ack");
    const bob = connect(f);
    await hello(bob, "phone-secret-0002");
    send(bob, { ...submit, text: "à moi" });
    expect(await nextOf(bob, "refused")).toMatchObject({ op: "submit", id: "note-000001", reason: "not_yours" });
  });

  it("[P1] a text frame that is not JSON is refused bad_message", async () => {
    const peer = connect(f);
    peer.send("{not json");
    expect(await next(peer)).toEqual({ type: "refused", reason: "bad_message" });
    expect(peer.closed).toBeNull();
  });

  it("[P1] JSON that is no phone message is refused bad_message", async () => {
    const peer = connect(f);
    await hello(peer);
    send(peer, { ...submit, extra: "field" });
    expect(await next(peer)).toEqual({ type: "refused", reason: "bad_message" });
    send(peer, { type: "submit", id: "short" });
    expect(await next(peer)).toEqual({ type: "refused", reason: "bad_message" });
  });

  it("[P1] a binary frame is refused bad_message", async () => {
    const peer = connect(f);
    await hello(peer);
    peer.send(new TextEncoder().encode(JSON.stringify(submit)));
    expect(await next(peer)).toEqual({ type: "refused", reason: "bad_message" });
    expect(notesMap(f.room.docs.room).size).toBe(0);
  });

  it("[P1] a message before hello is refused hello_first", async () => {
    const peer = connect(f);
    send(peer, submit);
    expect(await next(peer)).toEqual({ type: "refused", reason: "hello_first" });
    expect(notesMap(f.room.docs.room).size).toBe(0);
  });

  it("refuses another protocol version and closes the socket", async () => {
    const peer = connect(f);
    send(peer, { type: "hello", v: PHONE_PROTOCOL_VERSION + 1, participant: SECRET });
    expect(await next(peer)).toEqual({ type: "refused", reason: "wrong_version" });
    await vi.waitFor(() => expect(peer.closed?.code).toBe(CloseCode.BadMessage));
  });

  it("[P1] too many messages too fast close the connection with RateLimited", async () => {
    const peer = connect(f);
    for (let i = 0; i < LIMITS.phoneMessageBurst + 10; i++) peer.send("{}");
    await vi.waitFor(() => expect(peer.closed?.code).toBe(CloseCode.RateLimited));
    await vi.waitFor(() => expect(f.room.memberCount).toBe(0));
  });

  it("a phone that stops reading is closed TooSlow at the next board change", async () => {
    const peer = connect(f);
    await hello(peer);
    peer.stall();
    await f.settings({ phase: "reveal" });
    await vi.waitFor(() => expect(peer.closed?.code).toBe(CloseCode.TooSlow));
    expect(f.room.memberCount).toBe(0);
  });

  it("a board change reaches a listening phone", async () => {
    const peer = connect(f);
    await hello(peer);
    await f.settings({ submissions: "locked" });
    expect(await nextOf(peer, "board")).toMatchObject({ board: { submissions: "locked" } });
  });

  it("a phone walking away leaves the room", async () => {
    const peer = connect(f);
    await hello(peer);
    expect(f.room.memberCount).toBe(1);
    peer.disconnect();
    await vi.waitFor(() => expect(f.room.memberCount).toBe(0));
  });
});

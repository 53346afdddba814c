/**
 * The phone socket (small JSON messages): which join code a phone uses (the
 * target, the locked victim in several spellings, unknown codes within the
 * guessing allowance) and what it says, from valid notes and votes to broken
 * JSON and frames `ws` must reject. Also where a victim's acknowledgement,
 * which must never happen, is caught.
 */
import WebSocket from "ws";
import { LIMITS } from "@atelier/shared/wire/limits";
import { PHONE_PROTOCOL_VERSION, type PhoneServerMessage } from "@atelier/shared/wire/protocol";
import { phoneSocketPath } from "@atelier/shared/wire/syncProtocol";
import { sleep, tick, type Rand } from "./rand.ts";
import { weirdJson, weirdString } from "./strings.ts";
import { INVALID_UTF8 } from "./crashers.ts";
import { budgetLeft, bump, mayGuess, relayMaybeDown, type Ctx } from "./context.ts";
import { finishSession, openSocket, watchClose } from "./sockets.ts";

function phoneFrame(
  ctx: Ctx,
  r: Rand,
  participant: string,
  attached: boolean,
  victim: boolean,
): { data: string | Buffer; binary: boolean } {
  const mine = ctx.notesOf.get(participant) ?? [];
  const noteId = (): unknown =>
    r.weighted<() => unknown>([
      [3, () => `fz${r.uint32().toString(36)}${r.uint32().toString(36)}`],
      [mine.length > 0 ? 3 : 0, () => r.pick(mine)],
      [ctx.allNotes.length > 0 ? 3 : 0, () => r.pick(ctx.allNotes)],
      [
        1,
        () =>
          r.pick(["short", "x".repeat(65), "bad id with spaces", "../../../x", "a".repeat(10), "", "__proto__aaaa"]),
      ],
      [0.5, () => weirdJson(r)],
    ])();
  const draft = () => ({
    id: noteId(),
    text: r.weighted<() => unknown>([
      [6, () => weirdString(r, 200)],
      [
        1,
        () =>
          "x".repeat(
            r.pick([LIMITS.noteTextMax, LIMITS.noteTextMax + 1, LIMITS.noteTextMax * 4, LIMITS.noteTextMax * 4 + 1]),
          ),
      ],
      [1, () => "   \n\t "],
      [0.5, () => weirdJson(r)],
    ])(),
    prompt: r.weighted<() => unknown>([
      [6, () => r.pick(["p1", "p2", "p3"])],
      [1, () => r.pick(["p9", "", "P1", "p1 ", weirdString(r, 10)])],
      [0.3, () => weirdJson(r)],
    ])(),
    category: r.weighted<() => unknown>([
      [6, () => r.pick(["c1", "c2", "c3", "c4", "c5", ""])],
      [1, () => r.pick(["c9", "nope", weirdString(r, 10)])],
      [0.3, () => weirdJson(r)],
    ])(),
    author: r.weighted<() => unknown>([
      [6, () => r.pick(["", "Camille", "Léa", "👩🏽‍🏫"])],
      [1, () => weirdString(r, 60)],
      [0.5, () => "a".repeat(r.pick([LIMITS.authorMax, LIMITS.authorMax + 1, LIMITS.authorMax * 4 + 1]))],
      [0.3, () => weirdJson(r)],
    ])(),
  });
  const message = (): Record<string, unknown> =>
    r.weighted<() => Record<string, unknown>>([
      [
        1,
        () => ({
          type: "hello",
          v: r.chance(0.9) ? PHONE_PROTOCOL_VERSION : r.pick<unknown>([0, 2, "1", 1.5, null]),
          participant: r.chance(0.8) ? participant : r.pick(ctx.participants),
        }),
      ],
      [6, () => ({ type: "submit", ...draft() })],
      [3, () => ({ type: "edit", ...draft() })],
      [2, () => ({ type: "withdraw", id: noteId() })],
      // Dots and "I'm done" may be accepted on a locked board: only for the target.
      [
        victim ? 0 : 1,
        () => ({ type: "vote", id: noteId(), target: noteId(), delta: r.pick<unknown>([1, -1, 1, 0, 2, "1"]) }),
      ],
      [victim ? 0 : 0.5, () => ({ type: "done", id: noteId() })],
    ])();
  const kind = r.weighted([
    [10, "valid"],
    [4, "fieldType"],
    [2, "extraField"],
    [2, "missingField"],
    [1, "unknownType"],
    [2, "jsonJunk"],
    [1, "deep"],
    [1, "binary"],
    [0.5, "invalidUtf8"],
    [0.5, "empty"],
    [0.3, "oversize"],
    [1, "bigString"],
  ] as const);
  const text = (m: unknown) => ({ data: JSON.stringify(m), binary: false });
  if ((kind === "invalidUtf8" || kind === "oversize") && !attached && !ctx.crashers.receiverErrorsOnRefusedSockets) {
    // A frame `ws` rejects, on a socket the relay may have refused: held back (see `KnownCrashers`).
    bump(ctx.report.heldBack, "receiverErrorsOnRefusedSockets");
    return text(message());
  }
  switch (kind) {
    case "valid":
      return text(message());
    case "fieldType": {
      const m = message();
      m[r.pick(Object.keys(m))] = r.pick<unknown>([
        null,
        42,
        true,
        [],
        {},
        ["p1"],
        { $ne: null },
        Number.MAX_VALUE,
        -0,
        "1e999",
      ]);
      return text(m);
    }
    case "extraField":
      return text({
        ...message(),
        [r.pick(["__proto__", "constructor", "extra", "owner", "participant", "status"])]: weirdJson(r),
      });
    case "missingField": {
      const m = message();
      delete m[r.pick(Object.keys(m))];
      return text(m);
    }
    case "unknownType":
      return text({
        ...message(),
        type: r.pick<unknown>(["submitt", "SUBMIT", "Vote", "DONE", "", null, 5, "welcome", "ack", "__proto__"]),
      });
    case "jsonJunk": {
      const m = JSON.stringify(message());
      return {
        data: r.pick([
          m.slice(0, r.int(m.length)),
          m + "}",
          "null",
          "[]",
          "0",
          '"hello"',
          "1e999",
          "{",
          weirdString(r, 50),
          m.replace(/"/g, "'"),
          `${m}${m}`,
        ]),
        binary: false,
      };
    }
    case "deep": {
      const depth = r.range(100, 2000);
      return { data: "[".repeat(depth) + "]".repeat(r.chance(0.8) ? depth : depth - 1), binary: false };
    }
    case "binary":
      return { data: Buffer.from(r.chance(0.5) ? r.bytes(r.int(64)) : JSON.stringify(message())), binary: true };
    case "invalidUtf8":
      return {
        data: Buffer.concat([
          Buffer.from('{"type":"hello","v":1,"participant":"'),
          Buffer.from([0xc3, 0x28, 0xff, 0xed, 0xa0, 0x80]),
          Buffer.from('"}'),
        ]),
        binary: false,
      };
    case "empty":
      return { data: "", binary: false };
    case "oversize":
      return { data: JSON.stringify({ ...message(), text: "x".repeat(LIMITS.phoneFrameBytes) }), binary: false };
    case "bigString":
      return text({ ...message(), text: weirdString(r, 60).repeat(30).slice(0, r.range(1000, 3900)) });
  }
}

function phoneCode(ctx: Ctx, r: Rand): { code: string; victim: boolean; attaches: boolean } {
  const t = ctx.target.joinCode;
  const v = ctx.victim.joinCode;
  const kind = r.weighted([
    [5, "target"],
    [4, "victim"],
    [1, "victimLower"],
    [1, "victimDashed"],
    [1, "unknown"],
    [0.5, "badPath"],
  ] as const);
  switch (kind) {
    case "target":
      return { code: t, victim: false, attaches: true };
    case "victim":
      return { code: v, victim: true, attaches: true };
    case "victimLower":
      return { code: v.toLowerCase(), victim: true, attaches: true };
    case "victimDashed":
      return { code: `${v.slice(0, 3)}-${v.slice(3)}`, victim: true, attaches: true };
    case "unknown":
      // Unknown codes count against 127.0.0.1 (see `mayGuess`); paths the upgrade refuses do not.
      return mayGuess(ctx)
        ? { code: r.pick(["ABCDEF", "222222", "ZZZZZZ", "IIIIII", "A", `${t}${t}`]), victim: false, attaches: false }
        : { code: t, victim: false, attaches: true };
    case "badPath":
      return { code: r.pick(["ABCDEFGHJKMNPQRSTUVWX", "ab cd", "%2e%2e", "../x"]), victim: false, attaches: false };
  }
}

export async function phoneSession(ctx: Ctx, r: Rand): Promise<void> {
  const { code, victim, attaches } = phoneCode(ctx, r);
  ctx.report.sessions.phone++;
  const breakRefused = !attaches && !!ctx.crashers.receiverErrorsOnRefusedSockets && budgetLeft(ctx);
  const opened = await openSocket(ctx.wsBase + phoneSocketPath(code), (ws) => {
    if (!breakRefused) return;
    ws.send(INVALID_UTF8, { binary: false });
    ctx.report.frames.phone++;
  });
  if ("refused" in opened) {
    bump(ctx.report.upgradeRefusals, `phone ${opened.refused}`);
    if (opened.refused === "ECONNREFUSED") await relayMaybeDown(ctx);
    return;
  }
  const { ws } = opened;
  const watcher = watchClose(ws);
  let participant = r.pick(ctx.participants);
  let heard = false;
  ws.on("message", (data: Buffer) => {
    heard = true;
    let m: PhoneServerMessage;
    try {
      m = JSON.parse(data.toString("utf8")) as PhoneServerMessage;
    } catch {
      ctx.report.anomalies.push(
        `phone: the relay sent something that is not JSON: ${data.toString("hex").slice(0, 80)}`,
      );
      return;
    }
    bump(ctx.report.phoneReplies, m.type === "refused" ? `refused ${m.reason}` : m.type);
    if (victim && !["refused", "welcome", "board", "noteState"].includes(m.type)) {
      // Anything else means the locked victim accepted a message.
      ctx.report.victimAcks++;
      ctx.report.anomalies.push(`the victim board answered ${JSON.stringify(m).slice(0, 200)}`);
    } else if (m.type === "ack") {
      if (m.op === "submit" && !ctx.allNotes.includes(m.id)) {
        ctx.allNotes.push(m.id);
        ctx.notesOf.set(participant, [...(ctx.notesOf.get(participant) ?? []), m.id]);
      }
    }
  });
  const send = (data: string | Buffer, binary: boolean) => {
    if (ws.readyState !== WebSocket.OPEN || !budgetLeft(ctx)) return false;
    ws.send(data, { binary });
    ctx.report.frames.phone++;
    return true;
  };
  if (r.chance(0.9)) send(JSON.stringify({ type: "hello", v: PHONE_PROTOCOL_VERSION, participant }), false);
  const flood = r.chance(0.02);
  const count = flood ? LIMITS.phoneMessageBurst + r.range(20, 60) : r.chance(0.2) ? r.range(10, 30) : r.small(6);
  for (let i = 0; i < count && !watcher.state; i++) {
    // A frame `ws` rejects only once the relay has answered here (the socket is attached).
    const f = phoneFrame(ctx, r, participant, attaches && heard, victim);
    if (f.data.length > 20 && !f.binary && typeof f.data === "string" && f.data.includes('"hello"')) {
      try {
        const p = (JSON.parse(f.data) as { participant?: unknown }).participant;
        if (typeof p === "string") participant = p;
      } catch {
        // not JSON: no new participant
      }
    }
    if (!send(f.data, f.binary)) break;
    if (!flood && r.chance(0.5)) await (r.chance(0.7) ? tick() : sleep(r.int(20)));
  }
  if (flood) await Promise.race([watcher.ended, sleep(1_000)]);
  await finishSession(ctx, "phone", ws, watcher, r);
  // A valid code refused: a rotation raced this session, or 127.0.0.1 is blocked for guessing.
  if (attaches && watcher.state?.code === 4404) bump(ctx.report.errors, "phone: a rotated join code was refused");
  if (watcher.state?.reason.includes("unknown codes")) {
    ctx.report.anomalies.push(
      `phone: 127.0.0.1 blocked for unknown join codes (${code}): the fuzzer guessed too often`,
    );
  }
}

/**
 * The board sockets (y-websocket protocol): who connects (each role of the
 * target, the victim's read-only links, wrong tokens, bad paths) and what
 * they send (real, synthetic and mutated updates, awareness, junk). The only
 * driver that syncs a real Y.Doc, so it also checks that what the relay
 * serves applies cleanly in a stock client.
 */
import WebSocket from "ws";
import * as Y from "yjs";
import * as encoding from "lib0/encoding";
import * as decoding from "lib0/decoding";
import { LIMITS } from "@atelier/shared/wire/limits";
import { SyncMessage, SyncStep, boardSocketPath } from "@atelier/shared/wire/syncProtocol";
import { sleep, tick, type Rand } from "./rand.ts";
import { uri, weirdString } from "./strings.ts";
import { INVALID_UTF8, heldBack, tangledUpdate, zeroLengthUpdate } from "./crashers.ts";
import { editDoc, freshUpdate, mergeOrFirst } from "./yjsEdits.ts";
import { awarenessPayload, stateVectorOf, synthUpdate } from "./yjsEncoder.ts";
import { concat, frame, mutate, varUintBytes } from "./mutators.ts";
import { budgetLeft, bump, learnState, relayMaybeDown, wrongToken, type Ctx } from "./context.ts";
import { finishSession, openSocket, watchClose } from "./sockets.ts";

type ScreenWho = {
  label: string;
  url: string;
  /** Key of the document in `ctx.known`, when the socket can be attached. */
  docKey: string | null;
  /** The relay applies this sender's updates. */
  writer: boolean;
  /** The relay attaches this socket (valid board, link and document for the role). */
  attaches?: boolean;
};

function pickScreen(ctx: Ctx, r: Rand): ScreenWho {
  const base = (boardId: string) => ctx.wsBase + boardSocketPath(boardId);
  const q = (token: string) => (r.chance(0.03) ? `?token=${uri(token)}&token=x` : `?token=${uri(token)}`);
  const t = ctx.target;
  const v = ctx.victim;
  return r.weighted<() => ScreenWho>([
    [
      10,
      () => ({
        label: "target facilitator room",
        attaches: true,
        url: `${base(t.boardId)}/room${q(t.tokens.facilitator)}`,
        docKey: `${t.boardId}/room`,
        writer: true,
      }),
    ],
    [
      2,
      () => ({
        label: "target facilitator inbox",
        attaches: true,
        url: `${base(t.boardId)}/inbox${q(t.tokens.facilitator)}`,
        docKey: `${t.boardId}/inbox`,
        writer: false,
      }),
    ],
    [
      2,
      () => ({
        label: "target projector room",
        attaches: true,
        url: `${base(t.boardId)}/room${q(t.tokens.projector)}`,
        docKey: `${t.boardId}/room`,
        writer: false,
      }),
    ],
    [
      1,
      () => ({
        label: "target coordinator room",
        attaches: true,
        url: `${base(t.boardId)}/room${q(t.tokens.coordinator)}`,
        docKey: `${t.boardId}/room`,
        writer: false,
      }),
    ],
    [
      4,
      () => ({
        label: "victim projector room",
        attaches: true,
        url: `${base(v.boardId)}/room${q(v.tokens.projector)}`,
        docKey: `${v.boardId}/room`,
        writer: false,
      }),
    ],
    [
      3,
      () => ({
        label: "victim coordinator room",
        attaches: true,
        url: `${base(v.boardId)}/room${q(v.tokens.coordinator)}`,
        docKey: `${v.boardId}/room`,
        writer: false,
      }),
    ],
    [
      1,
      () => ({
        label: "victim projector inbox",
        url: `${base(v.boardId)}/inbox${q(r.chance(0.5) ? v.tokens.projector : v.tokens.coordinator)}`,
        docKey: null,
        writer: false,
      }),
    ],
    [
      2,
      () => ({
        label: "victim wrong token",
        url: `${base(v.boardId)}/${r.pick(["room", "inbox"])}${r.chance(0.9) ? q(r.chance(0.3) ? t.tokens.facilitator : wrongToken(ctx, r)) : ""}`,
        docKey: null,
        writer: false,
      }),
    ],
    [
      1,
      () => ({
        label: "target wrong token",
        url: `${base(t.boardId)}/room${q(r.chance(0.3) ? v.tokens.projector : wrongToken(ctx, r))}`,
        docKey: null,
        writer: false,
      }),
    ],
    [
      1,
      () => ({
        label: "unknown board",
        url: `${base(r.chance(0.7) ? r.uint32().toString(36) : "a".repeat(32))}/room${q(r.chance(0.5) ? v.tokens.projector : wrongToken(ctx, r))}`,
        docKey: null,
        writer: false,
      }),
    ],
    [
      0.5,
      () => ({
        label: "bad path",
        url:
          ctx.wsBase +
          r.pick([
            `/ws/board/${v.boardId.toUpperCase()}/room`,
            `/ws/board/${v.boardId}/other`,
            `/ws/board/${"a".repeat(33)}/room`,
            `/ws/board/${v.boardId}/room/`,
            "/ws/board//room",
            `/ws/${v.boardId}`,
          ]) +
          q(v.tokens.projector),
        docKey: null,
        writer: false,
      }),
    ],
    [
      ctx.scratch.length > 0 ? 1 : 0,
      () => {
        const s = r.pick(ctx.scratch);
        return {
          label: "scratch facilitator room",
          attaches: true,
          url: `${base(s.boardId)}/room${q(s.tokens.facilitator)}`,
          docKey: `${s.boardId}/room`,
          writer: true,
        };
      },
    ],
  ])();
}

/** One frame for a board socket. */
function screenFrame(
  ctx: Ctx,
  r: Rand,
  who: ScreenWho,
  local: Y.Doc | null,
  localUpdates: Uint8Array[],
): Uint8Array | string {
  const known = (who.docKey && ctx.known.get(who.docKey)) || new Map<number, number>();
  const c = ctx.corpus;
  const update = (): Uint8Array =>
    r.weighted<() => Uint8Array>([
      [5, () => freshUpdate(r, ctx.crashers)],
      [local ? 6 : 0, () => localUpdates.shift() ?? freshUpdate(r, ctx.crashers)],
      [3, () => synthUpdate(r, known)],
      [1, () => r.pick(c.whole)],
      [2, () => r.pick(c.tails)],
      [2, () => r.pick(c.dependents)],
      [1, () => (c.deletesOnly.length > 0 ? r.pick(c.deletesOnly) : r.pick(c.dependents))],
      [0.5, () => r.pick(c.v2)],
      [0.5, () => mergeOrFirst([r.pick(c.whole), r.pick(c.tails)])],
      [ctx.crashers.zeroLengthStructs ? 2 : 0, () => zeroLengthUpdate(r)],
      // Refused, or caught after the fact by the relay (it reloads the board): rare, it closes everyone.
      [0.15, () => tangledUpdate(r, r.pick(["cycle", "duplicate"] as const))],
      [ctx.crashers.pendingBehindException ? 2 : 0, () => tangledUpdate(r, "cycle", true)],
    ])();
  if (local && localUpdates.length === 0 && r.chance(0.7)) {
    local.transact(() => {
      for (let i = r.small(2); i > 0; i--) editDoc(r, local, ctx.crashers);
    });
  }
  const donors = [...c.whole, ...c.tails];
  const kind = r.weighted([
    [6, "step1"],
    [2, "step1Mutated"],
    [12, "update"],
    [16, "updateMutated"],
    [3, "frameMutated"],
    [5, "awareness"],
    [3, "awarenessMutated"],
    [2, "queryAwareness"],
    [1, "auth"],
    [1.5, "unknownType"],
    [3, "random"],
    [0.5, "empty"],
    [0.5, "text"],
  ] as const);
  switch (kind) {
    case "step1":
      return frame([SyncMessage.sync, SyncStep.step1], r.chance(0.5) ? new Uint8Array([0]) : stateVectorOf(r, known));
    case "step1Mutated":
      return frame([SyncMessage.sync, SyncStep.step1], mutate(r, r.pick(c.stateVectors), c.stateVectors), r);
    case "update":
      return frame([SyncMessage.sync, r.chance(0.7) ? SyncStep.update : SyncStep.step2], update());
    case "updateMutated":
      return frame(
        [SyncMessage.sync, r.chance(0.7) ? SyncStep.update : SyncStep.step2],
        mutate(r, update(), donors),
        r.chance(0.2) ? r : null,
      );
    case "frameMutated":
      return mutate(r, frame([SyncMessage.sync, r.pick([0, 1, 2])], update()), donors);
    case "awareness":
      return frame([SyncMessage.awareness], awarenessPayload(r));
    case "awarenessMutated":
      return r.chance(0.5)
        ? frame([SyncMessage.awareness], mutate(r, awarenessPayload(r), []), r)
        : mutate(r, frame([SyncMessage.awareness], awarenessPayload(r)), []);
    case "queryAwareness":
      return r.chance(0.8)
        ? new Uint8Array([SyncMessage.queryAwareness])
        : concat(new Uint8Array([3]), r.bytes(r.small(8)));
    case "auth": {
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, SyncMessage.auth);
      encoding.writeVarUint(e, r.int(3));
      encoding.writeVarString(e, weirdString(r, 20));
      return encoding.toUint8Array(e);
    }
    case "unknownType":
      return concat(
        varUintBytes(
          r.weighted([
            [4, r.range(4, 127)],
            [1, r.range(128, 100_000)],
            [1, 2 ** 53 - 1],
          ]),
        ),
        r.bytes(r.small(16)),
      );
    case "random":
      return r.bytes(r.chance(0.9) ? r.int(64) : r.int(4096));
    case "empty":
      return new Uint8Array(0);
    case "text":
      return r.chance(0.5) ? weirdString(r, 100) : "\u0000\u0002\u0000";
  }
}

export async function screenSession(ctx: Ctx, r: Rand): Promise<void> {
  const who = pickScreen(ctx, r);
  ctx.report.sessions.screen++;
  // Invalid UTF-8 in a text frame, on a socket the relay is about to refuse (see `KnownCrashers`).
  const breakRefused = !who.attaches && !!ctx.crashers.receiverErrorsOnRefusedSockets && budgetLeft(ctx);
  const opened = await openSocket(who.url, (ws) => {
    if (!breakRefused) return;
    ws.send(INVALID_UTF8, { binary: false });
    ctx.report.frames.screen++;
  });
  if ("refused" in opened) {
    bump(ctx.report.upgradeRefusals, `screen ${opened.refused}`);
    if (opened.refused === "ECONNREFUSED") await relayMaybeDown(ctx);
    return;
  }
  const { ws } = opened;
  const watcher = watchClose(ws);
  // A third of the sessions sync first, then edit what the relay holds (valid, dependent updates).
  const syncFirst = who.docKey !== null && r.chance(0.35);
  let local: Y.Doc | null = null;
  const localUpdates: Uint8Array[] = [];
  let gotStep2: (() => void) | null = null;
  let heard = false;
  ws.on("message", (data: Buffer) => {
    heard = true;
    try {
      const d = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (decoding.readVarUint(d) !== SyncMessage.sync) return;
      const step = decoding.readVarUint(d);
      if (step === SyncStep.step1) return;
      const update = decoding.readVarUint8Array(d);
      if (who.docKey) learnState(ctx, who.docKey, update);
      if (local && step === SyncStep.step2) {
        Y.applyUpdate(local, update, "relay");
        if (local.store.pendingStructs || local.store.pendingDs) {
          ctx.report.anomalies.push(`${who.label}: the relay's sync step 2 leaves pending structs in a fresh client`);
        }
        gotStep2?.();
      }
    } catch (error) {
      ctx.report.anomalies.push(
        `${who.label}: a stock client could not apply the relay's message: ${String(error).slice(0, 120)}`,
      );
    }
  });
  const send = (f: Uint8Array | string) => {
    if (ws.readyState !== WebSocket.OPEN || !budgetLeft(ctx)) return false;
    ws.send(f, { binary: typeof f !== "string" });
    ctx.report.frames.screen++;
    return true;
  };
  if (syncFirst) {
    local = new Y.Doc();
    local.clientID = r.uint32();
    local.on("update", (u: Uint8Array, origin: unknown) => origin !== "relay" && localUpdates.push(u));
    const synced = new Promise<void>((resolve) => (gotStep2 = resolve));
    send(frame([SyncMessage.sync, SyncStep.step1], new Uint8Array([0])));
    await Promise.race([synced, watcher.ended, sleep(3_000)]);
  }
  const flood = r.chance(0.01);
  // Over the size limit: only to sockets the relay attaches, unless asked (see `KnownCrashers`).
  const oversize = !flood && r.chance(0.002) && (who.attaches || !!ctx.crashers.receiverErrorsOnRefusedSockets);
  const count = flood ? LIMITS.screenMessageBurst + r.range(50, 200) : r.chance(0.2) ? r.range(10, 40) : r.small(8);
  for (let i = 0; i < count && !watcher.state; i++) {
    if (oversize && i === count - 1) {
      // Only once the relay has spoken on this socket: it is attached, with an error listener.
      if (heard || ctx.crashers.receiverErrorsOnRefusedSockets) {
        send(concat(new Uint8Array([0, 2]), new Uint8Array(LIMITS.screenFrameBytes)));
      } else bump(ctx.report.heldBack, "receiverErrorsOnRefusedSockets");
      break;
    }
    let f = flood ? new Uint8Array([SyncMessage.queryAwareness]) : screenFrame(ctx, r, who, local, localUpdates);
    // Frames of a known bug's family are only sent when asked for (see `KnownCrashers`).
    for (let k = 0; k < 6; k++) {
      const family = heldBack(ctx.crashers, f);
      if (!family) break;
      bump(ctx.report.heldBack, family);
      f = k < 5 ? screenFrame(ctx, r, who, local, localUpdates) : new Uint8Array([SyncMessage.queryAwareness]);
    }
    if (!send(f)) break;
    if (!flood && r.chance(0.3)) await (r.chance(0.8) ? tick() : sleep(r.int(15)));
  }
  if (flood) await Promise.race([watcher.ended, sleep(1_000)]);
  await finishSession(ctx, "screen", ws, watcher, r);
  local?.destroy();
}

import type { WebSocket } from "ws";
import { CloseCode } from "@atelier/shared/wire/closeCodes";
import type { DocName } from "@atelier/shared/document/docLayout";
import { readSettings } from "@atelier/shared/document/docLayout";
import { LIMITS } from "@atelier/shared/wire/limits";
import { parsePhoneMessage } from "@atelier/shared/wire/phoneSchemas";
import {
  PHONE_PROTOCOL_VERSION,
  RefusalReason,
  type PhoneBoardView,
  type PhoneClientMessage,
  type PhoneOperation,
  type PhoneServerMessage,
} from "@atelier/shared/wire/protocol";
import type { Room, RoomMember } from "../rooms/rooms.ts";
import type { Storage } from "../storage/storage.ts";
import { TokenBucket } from "../guards/rateLimit.ts";
import { hashToken } from "../rooms/tokens.ts";
import { editNote, myNote, submitNote, withdrawNote, type NoteResult } from "./notes.ts";
import { sendOrDrop } from "../transport/send.ts";
import { ballotFor, castVote, isDone, markDone } from "./voting.ts";

/**
 * A participant's phone. It never touches a Yjs document: it sends small
 * JSON messages that the relay validates and applies (PRODUCT.md, decision 1),
 * and it hears back only about the board's settings and its own notes.
 */
export class PhoneConnection implements RoomMember {
  private readonly bucket = new TokenBucket(LIMITS.phoneMessageBurst, 1000 / LIMITS.phoneMessagesPerSecond);
  private participantHash: string | null = null;
  private closed = false;
  private readonly stopListening: () => void;

  constructor(
    private readonly ws: WebSocket,
    private readonly room: Room,
    private readonly storage: Storage,
  ) {
    room.join(this);
    this.stopListening = room.onNoteChanged((id) => this.noteChanged(id));
    ws.on("message", (data: Buffer, isBinary: boolean) =>
      this.receive(data, isBinary).catch((error: unknown) => {
        // A bug must cost this phone its socket, never the relay its process.
        console.error(`phone ${room.boardId}: ${error instanceof Error ? error.message : String(error)}`);
        this.close(CloseCode.BadMessage, "relay error");
      }),
    );
    ws.on("close", () => this.dispose());
    ws.on("error", () => this.dispose());
  }

  private async receive(data: Buffer, isBinary: boolean): Promise<void> {
    if (this.closed) return;
    if (this.bucket.take() > 0) return this.close(CloseCode.RateLimited, "too many messages");
    const message = isBinary ? null : parsePhoneMessage(data.toString("utf8"));
    if (!message) return this.send({ type: "refused", reason: RefusalReason.BadMessage });
    if (message.type !== "hello" && this.participantHash === null) {
      return this.send({ type: "refused", reason: RefusalReason.NotHello });
    }
    await this.handle(message);
  }

  private async handle(message: PhoneClientMessage): Promise<void> {
    const me = this.participantHash!;
    switch (message.type) {
      case "hello":
        return this.hello(message.v, message.participant);
      case "submit": {
        const { type: _, ...draft } = message;
        return this.reply("submit", draft.id, await submitNote(this.storage, this.room, me, draft));
      }
      case "edit": {
        const { type: _, ...draft } = message;
        return this.reply("edit", draft.id, await editNote(this.storage, this.room, me, draft));
      }
      case "withdraw":
        return this.reply("withdraw", message.id, await withdrawNote(this.storage, this.room, me, message.id));
      case "vote": {
        const result = await castVote(this.storage, this.room, me, message.target, message.delta);
        if (result.ok) return this.send({ type: "voted", id: message.id, ballot: result.ballot });
        return this.send({ type: "refused", op: "vote", id: message.id, reason: result.reason });
      }
      case "done": {
        const refusal = await markDone(this.storage, this.room, me);
        if (refusal === null) return this.send({ type: "doneAck", id: message.id });
        return this.send({ type: "refused", op: "done", id: message.id, reason: refusal });
      }
      default: {
        const never: never = message;
        throw new Error(`unhandled phone message ${JSON.stringify(never)}`);
      }
    }
  }

  private hello(version: number, participant: string): void {
    if (version !== PHONE_PROTOCOL_VERSION) {
      this.send({ type: "refused", reason: RefusalReason.WrongVersion });
      return this.close(CloseCode.BadMessage, "unsupported protocol version");
    }
    // The phone's secret never leaves this function; notes are tied to its hash.
    this.participantHash = hashToken(`${this.room.boardId}:${participant}`);
    const notes = [];
    for (const [id, owner] of this.room.owners) if (owner === this.participantHash) notes.push(myNote(this.room, id));
    this.send({
      type: "welcome",
      v: PHONE_PROTOCOL_VERSION,
      board: this.boardView(),
      notes,
      serverTime: Date.now(),
      ballot: ballotFor(this.room, this.participantHash),
      done: isDone(this.room, this.participantHash),
    });
  }

  private reply(op: PhoneOperation, id: string, result: NoteResult): void {
    if (result.ok) this.send({ type: "ack", op, id, note: result.note });
    else this.send({ type: "refused", op, id, reason: result.reason, retryAfterMs: result.retryAfterMs });
  }

  private boardView(): PhoneBoardView {
    const { layoutVersion: _, hideTextsUntilReveal: _hide, ...view } = readSettings(this.room.docs.room);
    return view;
  }

  private noteChanged(id: string): void {
    if (this.participantHash !== null && this.room.owners.get(id) === this.participantHash && !this.room.closed) {
      this.send({ type: "noteState", note: myNote(this.room, id) });
    }
  }

  deliverUpdate(_doc: DocName, _update: Uint8Array, _origin: unknown): void {}

  settingsChanged(): void {
    if (this.participantHash === null || this.room.closed) return;
    this.send({
      type: "board",
      board: this.boardView(),
      serverTime: Date.now(),
      ballot: ballotFor(this.room, this.participantHash),
    });
  }

  private send(message: PhoneServerMessage): void {
    if (this.closed) return;
    if (!sendOrDrop(this.ws, JSON.stringify(message))) this.close(CloseCode.TooSlow, "too slow to receive");
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, reason);
    this.dispose();
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopListening();
    this.room.leave(this);
  }
}

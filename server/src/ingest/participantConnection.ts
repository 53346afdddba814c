import { CloseCode } from "@atelier/shared/wire/closeCodes";
import type { DocName } from "@atelier/shared/document/docLayout";
import { readSettings } from "@atelier/shared/document/docLayout";
import { LIMITS } from "@atelier/shared/wire/limits";
import { parsePhoneMessage } from "@atelier/shared/wire/phoneSchemas";
import {
  PHONE_PING_FRAME,
  PHONE_PONG_FRAME,
  PHONE_PROTOCOL_VERSION,
  RefusalReason,
  type MyNote,
  type PhoneClientMessage,
  type PhoneOperation,
  type PhoneServerMessage,
} from "@atelier/shared/wire/protocol";
import type { Room, RoomMember } from "../rooms/room.ts";
import type { Result } from "../rooms/result.ts";
import { hashToken } from "../rooms/tokens.ts";
import { TokenBucket } from "../guards/rateLimit.ts";
import type { PeerSocket } from "../transport/socket.ts";
import { editNote, myNote, submitNote, withdrawNote } from "./notes.ts";
import { ballotFor, castVote, isDone, markDone } from "./voting.ts";
import { phoneView } from "./phoneView.ts";

/**
 * The relay's end of a participant's phone. A phone never touches a Yjs
 * document (rule P1): it sends small JSON messages that the relay validates
 * and applies, and it hears back only about the board's settings, what it
 * may vote on, and its own notes.
 */
export class ParticipantConnection implements RoomMember {
  readonly role = "participant" as const;
  private readonly bucket = new TokenBucket(LIMITS.phoneMessageBurst, 1000 / LIMITS.phoneMessagesPerSecond);
  private participantHash: string | null = null;
  private closed = false;
  private readonly stopListening: () => void;

  constructor(
    private readonly socket: PeerSocket,
    private readonly room: Room,
    private readonly log: (message: string) => void = console.error,
  ) {
    room.join(this);
    this.stopListening = room.onNoteChanged((id) => this.noteChanged(id));
    socket.onMessage((message) =>
      this.receive(message).catch((error: unknown) => {
        // A bug must cost this phone its socket, never the relay its process.
        this.log(`phone ${room.boardId}: ${error instanceof Error ? error.message : String(error)}`);
        this.close(CloseCode.BadMessage, "relay error");
      }),
    );
    socket.onClose(() => this.dispose());
  }

  private async receive(frame: Uint8Array | string): Promise<void> {
    if (this.closed) return;
    if (this.bucket.take() > 0) return this.close(CloseCode.RateLimited, "too many messages");
    // The page's heartbeat: answered at once, even before hello, so a page can tell a live relay from a frozen one.
    if (frame === PHONE_PING_FRAME) return this.sendFrame(PHONE_PONG_FRAME);
    const message = typeof frame === "string" ? parsePhoneMessage(frame) : null;
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
      case "ping":
        return this.sendFrame(PHONE_PONG_FRAME);
      case "submit": {
        const { type: _, ...draft } = message;
        return this.replyNote("submit", draft.id, await submitNote(this.room, me, draft));
      }
      case "edit": {
        const { type: _, ...draft } = message;
        return this.replyNote("edit", draft.id, await editNote(this.room, me, draft));
      }
      case "withdraw":
        return this.replyNote("withdraw", message.id, await withdrawNote(this.room, me, message.id));
      case "vote": {
        const result = await castVote(this.room, me, message.target, message.delta);
        if (result.ok) return this.send({ type: "voted", id: message.id, ballot: result.value });
        return this.refused("vote", message.id, result);
      }
      case "done": {
        const result = await markDone(this.room, me);
        if (result.ok) return this.send({ type: "doneAck", id: message.id });
        return this.refused("done", message.id, result);
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
    const me = hashToken(`${this.room.boardId}:${participant}`);
    this.participantHash = me;
    this.send({
      type: "welcome",
      v: PHONE_PROTOCOL_VERSION,
      board: phoneView(readSettings(this.room.docs.room)),
      notes: this.room.ledger.notesOf(me).map((id) => myNote(this.room, id)),
      serverTime: Date.now(),
      ballot: ballotFor(this.room, me),
      done: isDone(this.room, me),
    });
  }

  private replyNote(op: PhoneOperation, id: string, result: Result<MyNote>): void {
    if (result.ok) this.send({ type: "ack", op, id, note: result.value });
    else this.refused(op, id, result);
  }

  private refused(op: PhoneOperation, id: string, result: Extract<Result<unknown>, { ok: false }>): void {
    this.send({ type: "refused", op, id, reason: result.reason, retryAfterMs: result.retryAfterMs });
  }

  private noteChanged(id: string): void {
    if (this.participantHash === null || this.room.closed) return;
    if (this.room.ledger.ownerOf(id) === this.participantHash) {
      this.send({ type: "noteState", note: myNote(this.room, id) });
    }
  }

  deliverUpdate(_doc: DocName, _update: Uint8Array, _origin: unknown): void {}

  phoneViewChanged(): void {
    if (this.participantHash === null || this.room.closed) return;
    this.send({
      type: "board",
      board: phoneView(readSettings(this.room.docs.room)),
      serverTime: Date.now(),
      ballot: ballotFor(this.room, this.participantHash),
    });
  }

  private send(message: PhoneServerMessage): void {
    this.sendFrame(JSON.stringify(message));
  }

  private sendFrame(frame: string): void {
    if (this.closed) return;
    if (!this.socket.send(frame)) this.close(CloseCode.TooSlow, "too slow to receive");
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.socket.close(code, reason);
    this.dispose();
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopListening();
    this.room.leave(this);
  }
}

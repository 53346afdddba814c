import * as Y from "yjs";
import * as encoding from "lib0/encoding";
import * as decoding from "lib0/decoding";
import * as awarenessProtocol from "y-protocols/awareness";
import { CloseCode } from "@atelier/shared/wire/closeCodes";
import { facilitatorMayWrite, type DocName } from "@atelier/shared/document/docLayout";
import { LIMITS } from "@atelier/shared/wire/limits";
import { canSendAwareness, canWriteCanvas, type ScreenRole } from "@atelier/shared/wire/roles";
import { SyncMessage, SyncStep } from "@atelier/shared/wire/syncProtocol";
import type { Room, RoomMember } from "../rooms/room.ts";
import { StageTimings } from "../rooms/stageTimings.ts";
import { TokenBucket } from "../guards/rateLimit.ts";
import type { PeerSocket } from "../transport/socket.ts";
import { decodeAgainst, inspectUpdate } from "./updateInspection.ts";
import { touchedTypes } from "./writeScope.ts";
import { awarenessChangeFrame, awarenessFrame, fullStateFrame, syncStep2Frame, updateFrame } from "./frames.ts";

type AwarenessChange = { added: number[]; updated: number[]; removed: number[] };

/**
 * A board screen syncing one of the board's documents with the y-websocket
 * protocol. The role decides, per message, what is accepted (rules R1–R4,
 * R6 and R7 in docs/ARCHITECTURE.md): only a facilitator's updates to the
 * `room` document are applied, and only to the types the relay does not
 * keep for itself; everything else that would change a document is refused.
 */
export class ScreenConnection implements RoomMember {
  private readonly bucket = new TokenBucket(LIMITS.screenMessageBurst, 1000 / LIMITS.screenMessagesPerSecond);
  /** Awareness client ids this connection introduced, removed when it leaves. */
  private readonly awarenessIds = new Set<number>();
  private forbiddenWrites = 0;
  private closed = false;
  private readonly doc: Y.Doc;
  private readonly onAwareness = (change: AwarenessChange, origin: unknown) => this.awarenessChanged(change, origin);

  constructor(
    private readonly socket: PeerSocket,
    private readonly room: Room,
    private readonly docName: DocName,
    readonly role: ScreenRole,
    private readonly log: (message: string) => void,
  ) {
    this.doc = room.docs[docName];
    room.join(this);
    socket.onMessage((message) => this.receive(message));
    socket.onClose(() => this.dispose());
    if (this.writable) {
      // Ask a writer for what it has and we lack (its offline edits).
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, SyncMessage.sync);
      encoding.writeVarUint(encoder, SyncStep.step1);
      encoding.writeVarUint8Array(encoder, Y.encodeStateVector(this.doc));
      this.send(encoding.toUint8Array(encoder));
    }
    if (docName === "room") {
      room.awareness.on("update", this.onAwareness);
      this.sendAwarenessOf([...room.awareness.getStates().keys()]);
    }
  }

  private get writable(): boolean {
    return this.docName === "room" && canWriteCanvas(this.role);
  }

  private receive(frame: Uint8Array | string): void {
    if (this.closed) return;
    if (this.bucket.take() > 0) return this.close(CloseCode.RateLimited, "too many messages");
    if (typeof frame === "string") return this.close(CloseCode.BadMessage, "binary frames only");
    try {
      const decoder = decoding.createDecoder(frame);
      const type = decoding.readVarUint(decoder);
      switch (type) {
        case SyncMessage.sync:
          return this.receiveSync(decoder);
        case SyncMessage.awareness:
          return this.receiveAwareness(decoding.readVarUint8Array(decoder));
        case SyncMessage.queryAwareness:
          // Also the board pages' heartbeat: always answered, with an empty update when no screen is present.
          return this.sendAwarenessOf([...this.room.awareness.getStates().keys()], { evenIfEmpty: true });
        case SyncMessage.auth:
          return; // Permissions are decided at the upgrade, not negotiated.
        default:
          return this.close(CloseCode.BadMessage, "unknown message type");
      }
    } catch (error) {
      this.log(`screen ${this.room.boardId}/${this.docName}: malformed frame (${String(error)})`);
      this.close(CloseCode.BadMessage, "malformed message");
    }
  }

  private receiveSync(decoder: decoding.Decoder): void {
    const step = decoding.readVarUint(decoder);
    switch (step) {
      case SyncStep.step1: {
        const stateVector = decoding.readVarUint8Array(decoder);
        // Throws on junk before we wait. An empty one is a page opening the board: it gets the shared frame.
        const hasNothing = Y.decodeStateVector(stateVector).size === 0;
        // Only committed state leaves the relay (rule D1).
        void this.room.commit({}).then((committed) => {
          if (!committed.ok || this.closed || this.room.closed) return;
          let reply: Uint8Array;
          try {
            reply = hasNothing
              ? fullStateFrame(this.room.fullState(this.docName))
              : syncStep2Frame(Y.encodeStateAsUpdate(this.doc, stateVector));
          } catch (error) {
            // A state vector pointing inside a struct, or a document that cannot be encoded.
            this.log(`screen ${this.room.boardId}/${this.docName}: cannot answer sync step 1 (${String(error)})`);
            return this.close(CloseCode.Resync, "resync");
          }
          this.send(reply);
        }, noop);
        return;
      }
      case SyncStep.step2:
      case SyncStep.update:
        return this.receiveUpdate(decoding.readVarUint8Array(decoder));
      default:
        return this.close(CloseCode.BadMessage, "unknown sync step");
    }
  }

  private receiveUpdate(update: Uint8Array): void {
    if (this.room.unusable) return;
    const started = StageTimings.now();
    const decoded = decodeAgainst(this.doc, update);
    const { changesDoc, wouldPend, invalid } = inspectUpdate(this.doc, decoded);
    if (invalid) return this.close(CloseCode.BadMessage, "update with content that cannot be stored");
    if (!this.writable) {
      // A read-only screen replying with what we already have is harmless.
      if (!changesDoc) return;
      this.forbiddenWrites++;
      this.log(`screen ${this.room.boardId}/${this.docName}: write refused for role ${this.role}`);
      if (this.forbiddenWrites >= LIMITS.forbiddenWritesBeforeClose) {
        this.close(CloseCode.Forbidden, "this link is read-only");
      }
      return;
    }
    if (wouldPend) return this.close(CloseCode.Resync, "update refers to unknown content: resync");
    if (!changesDoc) return;
    const touched = touchedTypes(this.doc, decoded);
    if (touched === null) return this.close(CloseCode.Resync, "update refers to unknown content: resync");
    const outside = [...touched].filter((name) => !facilitatorMayWrite(name));
    if (outside.length > 0) {
      this.log(`screen ${this.room.boardId}/${this.docName}: write to ${outside.join(", ")} refused (rule R7)`);
      return this.close(CloseCode.Forbidden, "only the relay writes notes, votes and signals");
    }
    if (this.room.storedBytes(this.docName) + update.length > LIMITS.maxDocumentBytes) {
      return this.close(CloseCode.BoardFull, "the board has reached its maximum size");
    }
    this.room.timings?.record("checks", started);
    // A failure is the room's to handle: it reloads from disk and every screen resyncs.
    void this.room.commit({ edit: (docs) => Y.applyUpdate(docs[this.docName], update, this) });
  }

  private receiveAwareness(update: Uint8Array): void {
    if (this.docName !== "room" || !canSendAwareness(this.role)) return;
    awarenessProtocol.applyAwarenessUpdate(this.room.awareness, update, this);
  }

  private awarenessChanged(change: AwarenessChange, origin: unknown): void {
    if (origin === this) {
      for (const id of change.added) this.awarenessIds.add(id);
      for (const id of change.removed) this.awarenessIds.delete(id);
    }
    if (change.added.length + change.updated.length + change.removed.length === 0) return;
    this.send(awarenessChangeFrame(this.room.awareness, change));
  }

  /**
   * Called by the relay at every ping: a stock y-websocket client closes a
   * socket it has received nothing on for 30 s, and pings are invisible to
   * it, so an idle screen gets an empty awareness update (3 bytes, a no-op).
   */
  keepAlive(): void {
    if (!this.closed) this.sendAwarenessOf([], { evenIfEmpty: true });
  }

  private sendAwarenessOf(clients: number[], options: { evenIfEmpty?: boolean } = {}): void {
    if (clients.length === 0 && !options.evenIfEmpty) return;
    this.send(awarenessFrame(this.room.awareness, clients));
  }

  deliverUpdate(doc: DocName, update: Uint8Array, origin: unknown): void {
    if (doc !== this.docName || origin === this) return;
    this.send(updateFrame(update));
  }

  phoneViewChanged(): void {}

  private send(message: Uint8Array): void {
    if (!this.socket.send(message)) this.close(CloseCode.TooSlow, "too slow to receive");
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.socket.close(code, reason);
    this.dispose();
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.docName === "room") {
      this.room.awareness.off("update", this.onAwareness);
      if (!this.room.closed) awarenessProtocol.removeAwarenessStates(this.room.awareness, [...this.awarenessIds], this);
    }
    this.room.leave(this);
  }
}

function noop(): void {}

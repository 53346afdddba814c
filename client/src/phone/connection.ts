import {
  PHONE_PING_FRAME,
  PHONE_PROTOCOL_VERSION,
  type PhoneClientMessage,
  type PhoneServerMessage,
} from "@atelier/shared/wire/protocol";
import { isFinalCloseCode } from "@atelier/shared/wire/closeCodes";
import { phoneSocketPath } from "@atelier/shared/wire/syncProtocol";
import { LIVENESS } from "@atelier/shared/wire/liveness";
import { backoffDelay } from "../backoff.ts";

export type ConnectionStatus = "connecting" | "online" | "offline" | "closed";

/**
 * The phone's socket to the relay: says hello, reconnects with backoff and
 * jitter, and reconnects at once when the browser says the network is back.
 *
 * A relay that stopped answering (frozen, or its network gone) leaves a
 * socket that looks open: after `LIVENESS.pageQuietMs` of silence the page
 * sends a `ping`, and after `LIVENESS.pageDeadAfterMs` it drops the socket,
 * says it is offline and reconnects. The outbox resends what was not
 * acknowledged, and note ids make the resend count once.
 */
export class PhoneConnection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: number | undefined;
  /** When the current socket last heard from the relay (or was opened). */
  private lastHeard = 0;
  private lastPing = 0;
  status: ConnectionStatus = "connecting";

  constructor(
    private readonly joinCode: string,
    private readonly participant: string,
    private readonly onMessage: (message: PhoneServerMessage) => void,
    private readonly onStatus: (status: ConnectionStatus, closeCode?: number) => void,
  ) {
    addEventListener("online", () => this.reconnectNow());
    addEventListener("offline", () => {
      // The socket may look open for a while; nothing should be sent into it.
      this.setStatus("offline");
      this.ws?.close();
    });
    window.setInterval(() => this.checkHeartbeat(), 1_000);
    this.open();
  }

  private checkHeartbeat(): void {
    const ws = this.ws;
    if (!ws) return;
    const quiet = Date.now() - this.lastHeard;
    if (quiet > LIVENESS.pageDeadAfterMs) return this.drop(ws);
    if (
      ws.readyState === WebSocket.OPEN &&
      quiet > LIVENESS.pageQuietMs &&
      Date.now() - this.lastPing > LIVENESS.pageQuietMs
    ) {
      this.lastPing = Date.now();
      ws.send(PHONE_PING_FRAME);
    }
  }

  /** Gives up on a silent socket without waiting for a close handshake that will never come. */
  private drop(ws: WebSocket): void {
    ws.onopen = ws.onmessage = ws.onclose = null;
    ws.close();
    this.ws = null;
    this.setStatus("offline");
    this.timer = window.setTimeout(() => this.open(), backoffDelay(this.attempt++));
  }

  private open(): void {
    if (this.status === "closed") return;
    if (!navigator.onLine) return this.setStatus("offline");
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${phoneSocketPath(this.joinCode)}`;
    const ws = new WebSocket(url);
    this.ws = ws;
    // A handshake that never completes counts as silence too.
    this.lastHeard = Date.now();
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: "hello", v: PHONE_PROTOCOL_VERSION, participant: this.participant }));
    };
    ws.onmessage = (event) => {
      this.lastHeard = Date.now();
      let message: PhoneServerMessage;
      try {
        message = JSON.parse(String(event.data)) as PhoneServerMessage;
      } catch {
        return;
      }
      if (message.type === "pong") return;
      if (message.type === "welcome") {
        this.attempt = 0;
        this.setStatus("online");
      }
      this.onMessage(message);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (isFinalCloseCode(event.code)) {
        this.status = "closed";
        this.onStatus("closed", event.code);
        return;
      }
      // Once called offline (silent relay), stay so until the relay welcomes us again.
      this.setStatus(navigator.onLine && this.status !== "offline" ? "connecting" : "offline");
      this.timer = window.setTimeout(() => this.open(), backoffDelay(this.attempt++));
    };
  }

  private reconnectNow(): void {
    if (this.status === "closed" || this.status === "online") return;
    window.clearTimeout(this.timer);
    this.attempt = 0;
    this.ws?.close();
    this.ws = null;
    this.open();
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.onStatus(status);
  }

  /** False when the message could not leave now (it stays in the outbox). */
  send(message: PhoneClientMessage): boolean {
    if (this.status !== "online" || !this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }
}

import {
  PHONE_PROTOCOL_VERSION,
  type PhoneClientMessage,
  type PhoneServerMessage,
} from "@atelier/shared/wire/protocol";
import { isFinalCloseCode } from "@atelier/shared/wire/closeCodes";
import { phoneSocketPath } from "@atelier/shared/wire/syncProtocol";
import { backoffDelay } from "../backoff.ts";

export type ConnectionStatus = "connecting" | "online" | "offline" | "closed";

/**
 * The phone's socket to the relay: says hello, reconnects with backoff and
 * jitter, and reconnects at once when the browser says the network is back.
 */
export class PhoneConnection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: number | undefined;
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
    this.open();
  }

  private open(): void {
    if (this.status === "closed") return;
    if (!navigator.onLine) return this.setStatus("offline");
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${phoneSocketPath(this.joinCode)}`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: "hello", v: PHONE_PROTOCOL_VERSION, participant: this.participant }));
    };
    ws.onmessage = (event) => {
      let message: PhoneServerMessage;
      try {
        message = JSON.parse(String(event.data)) as PhoneServerMessage;
      } catch {
        return;
      }
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
      this.setStatus(navigator.onLine ? "connecting" : "offline");
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

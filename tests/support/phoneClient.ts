import WebSocket from "ws";
import { nanoid } from "nanoid";
import { phoneSocketPath } from "@atelier/shared/wire/syncProtocol";
import {
  PHONE_PROTOCOL_VERSION,
  type NoteDraft,
  type PhoneClientMessage,
  type PhoneServerMessage,
} from "@atelier/shared/wire/protocol";

type Reply = Extract<
  PhoneServerMessage,
  { type: "ack" } | { type: "refused" } | { type: "voted" } | { type: "doneAck" }
>;

/**
 * A simulated phone speaking the real protocol over a real socket, for tests
 * and benchmarks. One request per note id is in flight at a time.
 */
export class PhoneClient {
  readonly messages: PhoneServerMessage[] = [];
  closeCode: number | null = null;
  private readonly waiting = new Map<string, (reply: Reply) => void>();
  private welcomeWaiter: ((m: PhoneServerMessage) => void) | null = null;

  private constructor(
    readonly ws: WebSocket,
    readonly participant: string,
  ) {
    ws.on("message", (data) => {
      const message = JSON.parse(data.toString()) as PhoneServerMessage;
      this.messages.push(message);
      if (message.type === "welcome" || (message.type === "refused" && !message.id)) {
        this.welcomeWaiter?.(message);
        this.welcomeWaiter = null;
      }
      const replyTypes = ["ack", "refused", "voted", "doneAck"];
      if (replyTypes.includes(message.type) && "id" in message && message.id) {
        this.waiting.get(message.id)?.(message);
        this.waiting.delete(message.id);
      }
    });
    ws.on("close", (code) => {
      this.closeCode = code;
      this.welcomeWaiter?.({ type: "refused", reason: "storage_unavailable" });
      this.welcomeWaiter = null;
      for (const [, resolve] of this.waiting) resolve({ type: "refused", reason: "storage_unavailable" });
      this.waiting.clear();
    });
  }

  /**
   * Connects and says hello; resolves with the welcome (or the refusal).
   * `localAddress` (127.0.0.x) makes many phones look like several venues.
   */
  static async connect(
    baseUrl: string,
    joinCode: string,
    participant = nanoid(),
    { localAddress }: { localAddress?: string } = {},
  ): Promise<PhoneClient> {
    const ws = new WebSocket(baseUrl.replace(/^http/, "ws") + phoneSocketPath(joinCode), { localAddress });
    const client = new PhoneClient(ws, participant);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
      ws.once("close", (code) => reject(new Error(`closed ${code}`)));
    });
    const welcome = new Promise<PhoneServerMessage>((resolve) => (client.welcomeWaiter = resolve));
    // Closed right after the handshake (a relay refusing with 4503): no welcome will come.
    if (client.closeCode !== null) throw new Error(`closed ${client.closeCode} before welcome`);
    client.send({ type: "hello", v: PHONE_PROTOCOL_VERSION, participant });
    const first = await welcome;
    if (first.type !== "welcome" && client.closeCode !== null)
      throw new Error(`closed ${client.closeCode} before welcome`);
    return client;
  }

  get welcome(): Extract<PhoneServerMessage, { type: "welcome" }> | undefined {
    return this.messages.find((m) => m.type === "welcome") as never;
  }

  send(message: PhoneClientMessage | string): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  request(message: Extract<PhoneClientMessage, { id: string }>): Promise<Reply> {
    const reply = new Promise<Reply>((resolve) => this.waiting.set(message.id, resolve));
    if (this.ws.readyState !== WebSocket.OPEN) {
      return Promise.resolve({ type: "refused", reason: "storage_unavailable" } as Reply);
    }
    this.send(message);
    return reply;
  }

  submit(draft: Partial<NoteDraft> & { text: string }): Promise<Reply> {
    return this.request({ type: "submit", id: nanoid(), prompt: "p1", category: "", author: "", ...draft });
  }

  /** The author changes one of their notes (same id). */
  edit(draft: Partial<NoteDraft> & { id: string; text: string }): Promise<Reply> {
    return this.request({ type: "edit", prompt: "p1", category: "", author: "", ...draft });
  }

  close(): void {
    this.ws.close();
  }
}

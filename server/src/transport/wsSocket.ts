import { WebSocket } from "ws";
import { LIMITS } from "@atelier/shared/wire/limits";
import type { PeerSocket } from "./socket.ts";

/** A `ws` WebSocket as a `PeerSocket`, with the relay's bound on unsent output. */
export function wsSocket(ws: WebSocket): PeerSocket {
  return {
    send(message) {
      if (ws.readyState !== WebSocket.OPEN) return true;
      if (ws.bufferedAmount > LIMITS.sendBufferBytes) return false;
      ws.send(message);
      return true;
    },
    close(code, reason) {
      ws.close(code, reason);
    },
    onMessage(listener) {
      ws.on("message", (data: Buffer, isBinary: boolean) =>
        listener(isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data.toString("utf8")),
      );
    },
    onClose(listener) {
      let called = false;
      const once = () => {
        if (!called) listener();
        called = true;
      };
      ws.on("close", once);
      ws.on("error", once);
    },
  };
}

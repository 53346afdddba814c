import { WebSocket } from "ws";
import { LIMITS } from "@atelier/shared/wire/limits";

/**
 * Sends unless the peer lets its backlog grow past the bound; then returns
 * false and the caller drops the connection rather than the relay's memory.
 */
export function sendOrDrop(ws: WebSocket, message: Uint8Array | string): boolean {
  if (ws.readyState !== WebSocket.OPEN) return true;
  if (ws.bufferedAmount > LIMITS.sendBufferBytes) return false;
  ws.send(message);
  return true;
}

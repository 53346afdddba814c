/**
 * Clients that speak to the relay below the stock libraries, for tests whose
 * input a library would refuse to send, or whose answer it would hide: raw
 * HTTP bytes, a socket that reports the relay's exact close, and the sync a
 * brand-new screen would get (applied without a provider, so that an update
 * that cannot be loaded is a result, not an uncaught error).
 */
import { connect as netConnect } from "node:net";
import WebSocket from "ws";
import * as Y from "yjs";
import * as encoding from "lib0/encoding";
import * as decoding from "lib0/decoding";
import { SyncMessage, SyncStep } from "@atelier/shared/wire/syncProtocol";

/** A y-websocket sync message: type, step, then the payload with its length. */
export function syncFrame(step: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, SyncMessage.sync);
  encoding.writeVarUint(e, step);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

/**
 * Opens a socket, sends the frames as soon as it opens, and resolves with the
 * close the relay chose, or null if it kept the socket open for `waitMs`.
 */
export function rawSocket(url: string, frames: { data: Uint8Array | string; binary: boolean }[], waitMs = 5_000) {
  return new Promise<{ code: number; reason: string } | null>((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => {
      resolve(null);
      ws.terminate();
    }, waitMs);
    ws.on("open", () => frames.forEach((f) => ws.send(f.data, { binary: f.binary })));
    ws.on("close", (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
    ws.on("error", () => undefined);
  });
}

/** What a new screen would load: a sync step 1 with an empty state vector, its step 2 applied to a fresh Y.Doc. */
export function syncFresh(url: string): Promise<{ doc: Y.Doc; error: string | null; pending: boolean }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error("no sync step 2 within 5 s"));
    }, 5_000);
    ws.on("open", () => ws.send(syncFrame(SyncStep.step1, new Uint8Array([0]))));
    ws.on("message", (data: Buffer) => {
      const d = decoding.createDecoder(new Uint8Array(data));
      if (decoding.readVarUint(d) !== SyncMessage.sync || decoding.readVarUint(d) !== SyncStep.step2) return;
      const doc = new Y.Doc();
      let error: string | null = null;
      try {
        Y.applyUpdate(doc, decoding.readVarUint8Array(d));
      } catch (e) {
        error = String(e);
      }
      clearTimeout(timer);
      ws.close();
      resolve({ doc, error, pending: !!(doc.store.pendingStructs || doc.store.pendingDs) });
    });
    ws.on("close", (code) => reject(new Error(`closed with ${code} before sync step 2`)));
    ws.on("error", () => undefined);
  });
}

/** Writes bytes to the relay's port and reads everything until the relay closes the connection. */
export function rawHttp(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, "127.0.0.1");
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end of answer within 5 s: ${JSON.stringify(data)}`));
    }, 5_000);
    socket.on("connect", () => socket.write(bytes, "latin1"));
    socket.on("data", (d: Buffer) => (data += d.toString("latin1")));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(data);
    });
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

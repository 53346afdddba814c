import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import { SyncMessage, SyncStep } from "@atelier/shared/wire/syncProtocol";

/**
 * Outgoing y-websocket frames, encoded once per change and shared by every
 * screen that receives it: with 300 screens on a board, one committed
 * update is one encoding and 300 sends of the same bytes, not 300 encodings.
 * Frames are keyed by the object every receiver is handed (the committed
 * update; the awareness change event), so they go when it goes.
 */
const updateFrames = new WeakMap<Uint8Array, Uint8Array>();
const stateFrames = new WeakMap<Uint8Array, Uint8Array>();
const awarenessFrames = new WeakMap<object, Uint8Array>();

function sharedFrame<K extends object>(frames: WeakMap<K, Uint8Array>, key: K, encode: () => Uint8Array): Uint8Array {
  let frame = frames.get(key);
  if (!frame) {
    frame = encode();
    frames.set(key, frame);
  }
  return frame;
}

export function updateFrame(update: Uint8Array): Uint8Array {
  return sharedFrame(updateFrames, update, () => syncFrame(SyncStep.update, update));
}

/** Sync step 2 carrying a whole document (`Room.fullState`): one frame for every page that opens the board. */
export function fullStateFrame(state: Uint8Array): Uint8Array {
  return sharedFrame(stateFrames, state, () => syncFrame(SyncStep.step2, state));
}

/** Sync step 2 answering a state vector: what this peer lacks. */
export function syncStep2Frame(update: Uint8Array): Uint8Array {
  return syncFrame(SyncStep.step2, update);
}

function syncFrame(step: (typeof SyncStep)[keyof typeof SyncStep], update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, SyncMessage.sync);
  encoding.writeVarUint(encoder, step);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

export function awarenessFrame(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, SyncMessage.awareness);
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
  return encoding.toUint8Array(encoder);
}

/** The frame for one awareness change, shared by every screen that hears of it. */
export function awarenessChangeFrame(
  awareness: awarenessProtocol.Awareness,
  change: { added: number[]; updated: number[]; removed: number[] },
): Uint8Array {
  return sharedFrame(awarenessFrames, change, () =>
    awarenessFrame(awareness, [...change.added, ...change.updated, ...change.removed]),
  );
}

import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { roomCloseReason } from "../shared/room-protocol";

/**
 * The y-protocols messages a client sends, decoded completely before anything is applied, so a
 * malformed frame can be refused without having touched the document or the presence states.
 */

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;

/** One client's presence as it travels: its JSON text is kept so it is forwarded byte for byte. */
export interface AwarenessEntry {
  clientID: number;
  clock: number;
  /** JSON of the state object, or "null" when the client removes its presence. */
  stateJson: string;
}

export type ClientMessage =
  | { type: "sync-step1"; stateVector: Uint8Array }
  /** Sync step 2 or an incremental update: both carry a Y.js update. */
  | { type: "sync-update"; update: Uint8Array }
  | { type: "awareness"; entries: AwarenessEntry[] };

export class MalformedMessage extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export function decodeClientMessage(bytes: Uint8Array): ClientMessage {
  const decoder = decoding.createDecoder(bytes);
  const reading = <T>(reason: string, read: () => T): T => {
    try {
      return read();
    } catch {
      throw new MalformedMessage(reason);
    }
  };
  const messageType = reading(roomCloseReason.malformedSync, () => decoding.readVarUint(decoder));
  let message: ClientMessage;
  if (messageType === MESSAGE_SYNC) {
    message = reading(roomCloseReason.malformedSync, () => readSync(decoder));
  } else if (messageType === MESSAGE_AWARENESS) {
    message = {
      type: "awareness",
      entries: reading(roomCloseReason.malformedAwareness, () => readAwareness(decoding.readVarUint8Array(decoder))),
    };
  } else {
    throw new MalformedMessage(roomCloseReason.malformedSync);
  }
  // The provider sends exactly one message per frame; trailing bytes mean a broken encoder.
  if (decoding.hasContent(decoder))
    throw new MalformedMessage(messageType === MESSAGE_SYNC ? roomCloseReason.malformedSync : roomCloseReason.malformedAwareness);
  return message;
}

function readSync(decoder: decoding.Decoder): ClientMessage {
  const syncType = decoding.readVarUint(decoder);
  const payload = decoding.readVarUint8Array(decoder);
  switch (syncType) {
    case syncProtocol.messageYjsSyncStep1:
      Y.decodeStateVector(payload);
      return { type: "sync-step1", stateVector: payload };
    case syncProtocol.messageYjsSyncStep2:
    case syncProtocol.messageYjsUpdate:
      // Parses every struct and the delete set; throws on anything Y.applyUpdate could not read.
      Y.decodeUpdate(payload);
      return { type: "sync-update", update: payload };
    default:
      throw new Error(`unknown sync message type ${syncType}`);
  }
}

function readAwareness(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientID = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const stateJson = decoding.readVarString(decoder);
    const state: unknown = JSON.parse(stateJson);
    if (typeof state !== "object" || Array.isArray(state)) throw new Error("awareness state must be an object or null");
    entries.push({ clientID, clock, stateJson });
  }
  if (decoding.hasContent(decoder)) throw new Error("trailing bytes after awareness entries");
  return entries;
}

/** Sync step 2 answering a client's step 1: what the room has that the client lacks. */
export function syncStep2Message(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeSyncStep2(encoder, doc, stateVector);
  return encoding.toUint8Array(encoder);
}

export function syncStep1Message(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeSyncStep1(encoder, doc);
  return encoding.toUint8Array(encoder);
}

/** An awareness message with every current state, for a newcomer. */
export function awarenessStatesMessage(awareness: awarenessProtocol.Awareness): Uint8Array | null {
  const clients = Array.from(awareness.getStates().keys());
  if (clients.length === 0) return null;
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
  return encoding.toUint8Array(encoder);
}

/** The awareness update payload (without the message type) for `entries`, as y-protocols encodes it. */
export function encodeAwarenessEntries(entries: Iterable<AwarenessEntry>): Uint8Array {
  const list = Array.from(entries);
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, list.length);
  for (const { clientID, clock, stateJson } of list) {
    encoding.writeVarUint(encoder, clientID);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, stateJson);
  }
  return encoding.toUint8Array(encoder);
}

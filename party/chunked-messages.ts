import { RoomCloseCode, roomCloseReason } from "../shared/room-protocol";

/**
 * Reassembles y-partykit's chunked messages. The provider sends a message over 1 MB as a text
 * marker `y-pk-batch#{"id","type":"start","size","count"}`, the binary chunks, then a matching
 * `end` marker (see y-partykit's chunking.ts). Unlike y-partykit's own handler this one enforces the
 * message size cap on the whole batch and treats inconsistent batches as malformed input.
 */

export const BATCH_SENTINEL = "y-pk-batch";

export type Refusal = { code: number; reason: string };
export type AssemblyResult = { kind: "message"; bytes: Uint8Array } | { kind: "pending" } | ({ kind: "refused" } & Refusal);

interface BatchMarker {
  id: string;
  type: "start" | "end";
  size: number;
  count: number;
}

export class MessageAssembler {
  private batch: { start: BatchMarker; chunks: Uint8Array[]; received: number } | null = null;

  constructor(private readonly maxMessageBytes: number) {}

  accept(frame: string | ArrayBuffer | ArrayBufferView): AssemblyResult {
    if (typeof frame === "string") return this.acceptText(frame);
    const bytes = frame instanceof ArrayBuffer ? new Uint8Array(frame) : new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
    if (bytes.byteLength > this.maxMessageBytes) return this.tooBig();
    if (!this.batch) return { kind: "message", bytes };
    const { start, chunks } = this.batch;
    this.batch.received += bytes.byteLength;
    if (this.batch.received > start.size || chunks.length >= start.count) return malformed();
    // The frame's buffer may be reused by the runtime; keep a copy until the batch ends.
    chunks.push(bytes.slice());
    return { kind: "pending" };
  }

  private acceptText(text: string): AssemblyResult {
    // Characters, not bytes: a cheap bound that is never larger than the UTF-8 length.
    if (text.length > this.maxMessageBytes) return this.tooBig();
    if (!text.startsWith(`${BATCH_SENTINEL}#`)) {
      return { kind: "refused", code: RoomCloseCode.unsupportedData, reason: roomCloseReason.textFrame };
    }
    const marker = parseMarker(text.slice(BATCH_SENTINEL.length + 1));
    if (!marker) return malformed();
    if (marker.type === "start") {
      if (this.batch) return malformed();
      if (marker.size > this.maxMessageBytes) return this.tooBig();
      this.batch = { start: marker, chunks: [], received: 0 };
      return { kind: "pending" };
    }
    const batch = this.batch;
    this.batch = null;
    if (!batch) return malformed();
    const { start, chunks, received } = batch;
    if (marker.id !== start.id || marker.size !== start.size || marker.count !== start.count) return malformed();
    if (chunks.length !== start.count || received !== start.size) return malformed();
    const bytes = new Uint8Array(received);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return { kind: "message", bytes };
  }

  private tooBig(): AssemblyResult {
    this.batch = null;
    return { kind: "refused", code: RoomCloseCode.tooBig, reason: roomCloseReason.messageTooBig(this.maxMessageBytes) };
  }
}

const malformed = (): AssemblyResult => ({ kind: "refused", code: RoomCloseCode.invalidPayload, reason: roomCloseReason.malformedBatch });

function parseMarker(json: string): BatchMarker | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { id, type, size, count } = value as Record<string, unknown>;
  if (typeof id !== "string" || (type !== "start" && type !== "end")) return null;
  if (!Number.isSafeInteger(size) || !Number.isSafeInteger(count) || (size as number) < 0 || (count as number) < 1) return null;
  return { id, type, size: size as number, count: count as number };
}

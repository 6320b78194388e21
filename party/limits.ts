import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_DOCUMENT_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from "../shared/room-protocol";

export interface RoomLimits {
  maxConnections: number;
  maxMessageBytes: number;
  maxDocumentBytes: number;
}

/**
 * The room's limits from its env vars. A value that is not a positive integer is logged and the
 * default used: a typo in a var should not take every room down.
 */
export function readRoomLimits(env: Record<string, unknown>): RoomLimits {
  return {
    maxConnections: positiveInteger(env, "ROOM_MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS),
    maxMessageBytes: positiveInteger(env, "ROOM_MAX_MESSAGE_BYTES", DEFAULT_MAX_MESSAGE_BYTES),
    maxDocumentBytes: positiveInteger(env, "ROOM_MAX_DOCUMENT_BYTES", DEFAULT_MAX_DOCUMENT_BYTES),
  };
}

function positiveInteger(env: Record<string, unknown>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = typeof raw === "number" ? raw : Number(String(raw));
  if (Number.isSafeInteger(value) && value > 0) return value;
  console.error(JSON.stringify({ level: "error", message: `${name} must be a positive integer; using ${fallback}`, value: String(raw) }));
  return fallback;
}

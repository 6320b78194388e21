import { z } from "zod";
import { DEFAULT_MAX_DOCUMENT_BYTES } from "./room-callbacks";

/**
 * What a project room tells its clients when it refuses something: WebSocket close codes with
 * their reasons, and the one JSON text message it sends before closing. Defined once so the room
 * sends them and the web app explains them from the same table.
 */

export { DEFAULT_MAX_DOCUMENT_BYTES };
export const DEFAULT_MAX_CONNECTIONS = 100;
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/** Presence frame: at most one awareness message per this many ms (30 fps). */
export const PRESENCE_FRAME_MS = 33;

/** Close codes the room uses: standard ones (RFC 6455 §7.4.1) and some of its own (4xxx). */
export const RoomCloseCode = {
  /** Connection admitted without verified claims (defence in depth behind the token check). */
  unauthorized: 1008,
  /** A text frame that is not a y-partykit batch marker. */
  unsupportedData: 1003,
  /** A binary frame that is not a well-formed Y.js sync or awareness message. */
  invalidPayload: 1007,
  /** A message over ROOM_MAX_MESSAGE_BYTES, or an edit that would take the document over its cap. */
  tooBig: 1009,
  /** The room could not load its document or check the user's access (the Worker was unreachable): retry. */
  internalError: 1011,
  /** The room already holds ROOM_MAX_CONNECTIONS connections. */
  tryAgainLater: 1013,
  /** Application codes (4000-4999). The room token expired: reconnect with a fresh one. */
  tokenExpired: 4001,
  /**
   * The user's access changed (removed from the org, a lower role, the session ended), or the
   * Worker refused to admit the token: reconnect with a fresh token, which says what they may do now or is refused.
   */
  accessChanged: 4003,
  /** The Worker has no such project (deleted or unknown), or it was just deleted: final, do not retry. */
  projectNotFound: 4404,
} as const;
export type RoomCloseCodeValue = (typeof RoomCloseCode)[keyof typeof RoomCloseCode];

/** Close reasons; each stays under the 123-byte limit of a close frame. */
export const roomCloseReason = {
  unauthorized: "unauthorized",
  textFrame: "text frames are not supported",
  malformedSync: "malformed Y.js message",
  malformedAwareness: "malformed awareness message",
  malformedBatch: "malformed message batch",
  messageTooBig: (maxBytes: number) => `message exceeds ${maxBytes} bytes`,
  documentTooLarge: (maxBytes: number) => `document would exceed ${maxBytes} bytes`,
  roomFull: (maxConnections: number) => `room is full (${maxConnections} connections)`,
  documentUnavailable: "document could not be loaded, try again",
  accessUnchecked: "access could not be checked, try again",
  tokenExpired: "room token expired",
  projectNotFound: "project not found",
  projectDeleted: "project deleted",
  accessChanged: "your access to this project changed",
} as const;

/** Sent as a JSON text frame just before the room closes with 1009 for the document cap. */
export const RoomErrorMessageSchema = z.object({
  type: z.literal("error"),
  code: z.enum(["document_too_large"]),
  message: z.string(),
});
export type RoomErrorMessage = z.infer<typeof RoomErrorMessageSchema>;

export function documentTooLargeMessage(maxBytes: number): RoomErrorMessage {
  return {
    type: "error",
    code: "document_too_large",
    message: `This edit would make the document larger than ${formatBytes(maxBytes)}; it was not saved.`,
  };
}

/** A sentence for people, by close code; undefined for normal closes the app need not explain. */
export function describeRoomClose(code: number): string | undefined {
  switch (code) {
    case RoomCloseCode.unauthorized:
      return "You are not allowed in this project's room.";
    case RoomCloseCode.unsupportedData:
    case RoomCloseCode.invalidPayload:
      return "The room could not read a message from this tab and disconnected it.";
    case RoomCloseCode.tooBig:
      return "A change was too large for the room and was not saved.";
    case RoomCloseCode.internalError:
      return "The room is having trouble. Retrying…";
    case RoomCloseCode.tryAgainLater:
      return "The room is full. Retrying…";
    case RoomCloseCode.tokenExpired:
      return "Your room access expired. Reconnecting…";
    case RoomCloseCode.accessChanged:
      return "Your access to this project changed. Reconnecting…";
    case RoomCloseCode.projectNotFound:
      return "This project no longer exists.";
    default:
      return undefined;
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`;
  return `${bytes} bytes`;
}

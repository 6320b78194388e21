import * as Y from "yjs";
import { DisconnectUsersSchema, ROOM_ACTION_HEADER, roomControlPath, RoomActionSchema, verifyRoomRequest } from "../shared/room-callbacks";
import { replaceDocumentContent, RestoreConflict } from "./document-restore";
import type { DocumentSession } from "./document-session";

/** Transaction origin of a restore, so its update is recognisable in listeners and logs. */
export const RESTORE_ORIGIN = Symbol("restore");

export interface ControlContext {
  roomId: string;
  secret: string;
  openDocument(): Promise<DocumentSession>;
  /** Called after a restore so the Worker gets the restored state as a `restore` snapshot. */
  restored(session: DocumentSession): void;
  /** Closes every socket of these users; answers how many were closed. */
  disconnectUsers(userIds: ReadonlySet<string>): number;
}

/**
 * The Worker's requests to a room (shared/room-callbacks.ts): `snapshot` answers the live state,
 * `restore` replaces the content with a snapshot's, `disconnect` closes some users' sockets. Only
 * signed requests get past the first check.
 */
export async function handleControlRequest(request: Request, context: ControlContext): Promise<Response> {
  const url = new URL(request.url);
  const body = new Uint8Array(await request.arrayBuffer());
  const check = await verifyRoomRequest(context.secret, request.headers, request.method, url.pathname, body);
  if (!check.valid) return errorResponse(401, "invalid_signature", check.reason);
  if (url.pathname !== roomControlPath(context.roomId)) return errorResponse(404, "not_found", "unknown room path");
  if (request.method !== "POST") return errorResponse(405, "method_not_allowed", "control requests are POSTs");
  const action = RoomActionSchema.safeParse(request.headers.get(ROOM_ACTION_HEADER));
  if (!action.success) return errorResponse(400, "invalid_request", `${ROOM_ACTION_HEADER} must be snapshot, restore or disconnect`);
  // Needs no document: a room that has none loaded has no one to disconnect.
  if (action.data === "disconnect") return disconnect(body, context);

  let session: DocumentSession;
  try {
    session = await context.openDocument();
  } catch (err) {
    console.error(JSON.stringify({ level: "error", message: "control request: document could not be opened", error: String(err) }));
    return errorResponse(503, "document_unavailable", "the room could not load its document");
  }
  if (action.data === "snapshot") {
    return new Response(Y.encodeStateAsUpdate(session.doc) as Uint8Array<ArrayBuffer>, { headers: { "content-type": "application/octet-stream", "cache-control": "no-store" } });
  }
  return restore(session, body, context);
}

function disconnect(body: Uint8Array, context: ControlContext): Response {
  let parsed: ReturnType<typeof DisconnectUsersSchema.safeParse>;
  try {
    parsed = DisconnectUsersSchema.safeParse(JSON.parse(new TextDecoder().decode(body)));
  } catch {
    return errorResponse(400, "invalid_request", "the body is not JSON");
  }
  if (!parsed.success) return errorResponse(400, "invalid_request", "the body must be { userIds: string[] } (1 to 1000)");
  return Response.json({ disconnected: context.disconnectUsers(new Set(parsed.data.userIds)) });
}

function restore(session: DocumentSession, snapshot: Uint8Array, context: ControlContext): Response {
  try {
    Y.decodeUpdate(snapshot);
  } catch {
    return errorResponse(400, "invalid_snapshot", "the body is not a Y.js update");
  }
  if (!session.size.admitsGrowth(snapshot.byteLength)) {
    return errorResponse(413, "document_too_large", `restoring would take the document over ${session.size.maxBytes} bytes`);
  }
  try {
    replaceDocumentContent(session.doc, snapshot, RESTORE_ORIGIN);
  } catch (err) {
    if (err instanceof RestoreConflict) return errorResponse(409, "restore_conflict", err.message);
    throw err;
  }
  context.restored(session);
  return Response.json({ restored: true, documentBytes: session.size.size() });
}

function errorResponse(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status, headers: { "cache-control": "no-store" } });
}

import * as Y from "yjs";
import { DisconnectSchema, ROOM_ACTION_HEADER, RoomActionSchema, roomControlPath, verifyRoomRequest } from "../shared/room-callbacks";
import { RestoreConflict, replaceDocumentContent } from "./document-restore";
import type { DocumentSession } from "./document-session";

/** Transaction origin of a restore, so its update is recognisable in listeners and logs. */
export const RESTORE_ORIGIN = Symbol("restore");

export interface ControlContext {
  roomId: string;
  secret: string;
  openDocument(): Promise<DocumentSession>;
  /** Called after a restore so the Worker gets the restored state as a `restore` snapshot. */
  restored(session: DocumentSession): void;
  /** Closes every socket of these users and every socket of these sessions; answers how many were closed. */
  disconnect(whom: { userIds: ReadonlySet<string>; sessionIds: ReadonlySet<string> }): number;
  /** The project is gone: closes every socket and deletes the room's storage; answers how many sockets closed. */
  tearDown(): Promise<number>;
}

/**
 * The Worker's requests to a room (shared/room-callbacks.ts): `snapshot` answers the live state,
 * `restore` replaces the content with a snapshot's, `disconnect` closes some users' or sessions'
 * sockets, `teardown` ends the room of a deleted project. Only signed requests get past the first check.
 */
export async function handleControlRequest(request: Request, context: ControlContext): Promise<Response> {
  const url = new URL(request.url);
  const body = new Uint8Array(await request.arrayBuffer());
  const check = await verifyRoomRequest(context.secret, request.headers, request.method, url.pathname, body);
  if (!check.valid) return errorResponse(401, "invalid_signature", check.reason);
  if (url.pathname !== roomControlPath(context.roomId)) return errorResponse(404, "not_found", "unknown room path");
  if (request.method !== "POST") return errorResponse(405, "method_not_allowed", "control requests are POSTs");
  const action = RoomActionSchema.safeParse(request.headers.get(ROOM_ACTION_HEADER));
  if (!action.success)
    return errorResponse(400, "invalid_request", `${ROOM_ACTION_HEADER} must be snapshot, restore, disconnect or teardown`);
  // Neither needs the document: a room that has none loaded has no one to disconnect.
  if (action.data === "disconnect") return disconnect(body, context);
  if (action.data === "teardown") return Response.json({ tornDown: true, disconnected: await context.tearDown() });

  let session: DocumentSession;
  try {
    session = await context.openDocument();
  } catch (err) {
    console.error(JSON.stringify({ level: "error", message: "control request: document could not be opened", error: String(err) }));
    return errorResponse(503, "document_unavailable", "the room could not load its document");
  }
  if (action.data === "snapshot") {
    return new Response(Y.encodeStateAsUpdate(session.doc) as Uint8Array<ArrayBuffer>, {
      headers: { "content-type": "application/octet-stream", "cache-control": "no-store" },
    });
  }
  return restore(session, body, context);
}

function disconnect(body: Uint8Array, context: ControlContext): Response {
  let parsed: ReturnType<typeof DisconnectSchema.safeParse>;
  try {
    parsed = DisconnectSchema.safeParse(JSON.parse(new TextDecoder().decode(body)));
  } catch {
    return errorResponse(400, "invalid_request", "the body is not JSON");
  }
  if (!parsed.success)
    return errorResponse(
      400,
      "invalid_request",
      "the body must be { userIds?: string[], sessionIds?: string[] }, at most 1000 each, not both empty",
    );
  return Response.json({
    disconnected: context.disconnect({ userIds: new Set(parsed.data.userIds), sessionIds: new Set(parsed.data.sessionIds) }),
  });
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

import { z } from "zod";
import { TimestampMs } from "./api";
import { ROOM_TOKEN_SECRET_MIN_LENGTH, RoomRoleSchema } from "./room-token";

/**
 * The HTTP contract between the Worker and the PartyKit rooms, both ways. Rooms have no D1: they
 * ask the Worker whether a connection may be admitted, hand snapshots and room events to it, and
 * the Worker asks a room to snapshot, restore, disconnect users or tear itself down.
 * Every such request is signed with a key derived from `ROOM_TOKEN_SECRET` (so no second secret to
 * provision), bound to its timestamp, method, path and body, and checked in constant time.
 */

/** Worker routes the rooms call. */
export const roomCallbackPaths = {
  /** POST, body = `Y.encodeStateAsUpdate(doc)` as application/octet-stream. */
  snapshots: (roomId: string) => `/v1/rooms/${roomId}/snapshots`,
  /** GET → 200 with the newest snapshot's bytes, or 204 when the project has none. */
  latestSnapshot: (roomId: string) => `/v1/rooms/${roomId}/snapshots/latest`,
  /** POST, body = RoomEventsBody (JSON). */
  events: (roomId: string) => `/v1/rooms/${roomId}/events`,
  /** POST, body = RoomAdmissionRequest (JSON) → 200 RoomAdmission, 403 (no access now), 404 (no project). */
  admissions: (roomId: string) => `/v1/rooms/${roomId}/admissions`,
} as const;

/**
 * What the room asks before it serves a socket whose token it verified: the token's claims and
 * the connection. The Worker answers from D1 as it is now, and records the admission so a later
 * access change finds every room the user is in.
 */
export const RoomAdmissionRequestSchema = z.object({
  userId: z.string().regex(/^usr_[A-Za-z0-9]+$/),
  sessionId: z.string().regex(/^ses_[A-Za-z0-9]+$/),
  /** The token's role: the admission never grants more. */
  role: RoomRoleSchema,
  /** PartyKit connection id. */
  connectionId: z.string().min(1).max(128),
  /** The token's `exp` in milliseconds UTC: the socket closes then, so the admission ends then. */
  tokenExpiresAt: TimestampMs.min(1),
});
export type RoomAdmissionRequest = z.infer<typeof RoomAdmissionRequestSchema>;
/** 200: admitted with this role (the lower of the token's and the user's role now). */
export const RoomAdmissionSchema = z.object({ role: RoomRoleSchema });
export type RoomAdmission = z.infer<typeof RoomAdmissionSchema>;

/** The room's own HTTP endpoint the Worker calls (PartyKit's default party is `main`). */
export const roomControlPath = (roomId: string) => `/parties/main/${roomId}`;

export const ROOM_ACTION_HEADER = "x-plaza-room-action";
/**
 * `snapshot`: answer the live document's state as bytes. `restore`: replace the document's content
 * with the body's update. `disconnect`: close the sockets of the users or sessions in the body
 * (their access changed); a reconnect is admitted only as far as the Worker allows now.
 * `teardown`: the project was deleted: close every socket (4404), delete the room's storage and
 * refuse everyone from then on; answering 200 confirms it.
 */
export const RoomActionSchema = z.enum(["snapshot", "restore", "disconnect", "teardown"]);
export type RoomAction = z.infer<typeof RoomActionSchema>;

const disconnectIds = z.array(z.string().min(1).max(64)).max(1000);
/** The body of a `disconnect` request: every socket of these users, and every socket of these sessions. */
export const DisconnectSchema = z
  .object({ userIds: disconnectIds.default([]), sessionIds: disconnectIds.default([]) })
  .refine((body) => body.userIds.length + body.sessionIds.length > 0, { message: "name at least one user or session" });
export type DisconnectBody = z.input<typeof DisconnectSchema>;

/** Why a snapshot was taken; sent by the room with each snapshot POST. */
export const SNAPSHOT_REASON_HEADER = "x-plaza-snapshot-reason";
export const SnapshotReasonSchema = z.enum(["auto", "manual", "restore"]);
export type SnapshotReason = z.infer<typeof SnapshotReasonSchema>;

/** Default document cap; both sides enforce it (room on edits, Worker on stored snapshots). */
export const DEFAULT_MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

export const RoomEventSchema = z.object({
  /** Made by the room, unique per event, so a retried POST records nothing twice. */
  id: z.string().regex(/^rev_[A-Za-z0-9]{8,64}$/),
  type: z.enum(["member_joined", "member_left"]),
  userId: z.string().regex(/^usr_[A-Za-z0-9]+$/),
  name: z.string().max(100),
  role: z.enum(["read", "write"]),
  /** PartyKit connection id: one user may hold several connections (tabs). */
  connectionId: z.string().max(128),
  /** Milliseconds UTC. */
  at: TimestampMs,
});
export type RoomEvent = z.infer<typeof RoomEventSchema>;
export const RoomEventsBodySchema = z.object({ events: z.array(RoomEventSchema).min(1).max(100) });
export type RoomEventsBody = z.infer<typeof RoomEventsBodySchema>;

export const ROOM_TIMESTAMP_HEADER = "x-plaza-room-timestamp";
export const ROOM_SIGNATURE_HEADER = "x-plaza-room-signature";
/** A signed request older or newer than this is refused, which bounds replays. */
export const ROOM_SIGNATURE_TOLERANCE_MS = 5 * 60 * 1000;

const encoder = new TextEncoder();

/** HMAC key for callbacks: HMAC(ROOM_TOKEN_SECRET, label), so it never equals the token key. */
async function callbackKey(secret: string): Promise<CryptoKey> {
  if (secret.length < ROOM_TOKEN_SECRET_MIN_LENGTH)
    throw new Error(`ROOM_TOKEN_SECRET must be at least ${ROOM_TOKEN_SECRET_MIN_LENGTH} characters`);
  const root = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const derived = await crypto.subtle.sign("HMAC", root, encoder.encode("plaza-room-callback-v1"));
  return crypto.subtle.importKey("raw", derived, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

function signedBytes(timestamp: string, method: string, path: string, body: Uint8Array): Uint8Array {
  const head = encoder.encode(`${timestamp}\n${method.toUpperCase()}\n${path}\n`);
  const all = new Uint8Array(head.byteLength + body.byteLength);
  all.set(head, 0);
  all.set(body, head.byteLength);
  return all;
}

const toBase64 = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
function fromBase64(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Headers to add to a request from `method path` with `body` (empty for GET). */
export async function signRoomRequest(
  secret: string,
  method: string,
  path: string,
  body: Uint8Array = new Uint8Array(),
  now = Date.now(),
): Promise<Record<string, string>> {
  const timestamp = String(now);
  const mac = await crypto.subtle.sign("HMAC", await callbackKey(secret), signedBytes(timestamp, method, path, body) as BufferSource);
  return { [ROOM_TIMESTAMP_HEADER]: timestamp, [ROOM_SIGNATURE_HEADER]: `v1,${toBase64(mac)}` };
}

export type RoomSignatureCheck = { valid: true } | { valid: false; reason: string };

/** Verifies headers made by `signRoomRequest`, in constant time (crypto.subtle.verify). */
export async function verifyRoomRequest(
  secret: string,
  headers: Headers,
  method: string,
  path: string,
  body: Uint8Array,
  now = Date.now(),
): Promise<RoomSignatureCheck> {
  const timestamp = headers.get(ROOM_TIMESTAMP_HEADER);
  const signature = headers.get(ROOM_SIGNATURE_HEADER);
  if (!timestamp || !signature) return { valid: false, reason: "missing room signature" };
  if (!/^\d{1,16}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > ROOM_SIGNATURE_TOLERANCE_MS) {
    return { valid: false, reason: "room signature timestamp is outside the tolerance" };
  }
  const mac = signature.startsWith("v1,") ? fromBase64(signature.slice(3)) : null;
  if (!mac) return { valid: false, reason: "malformed room signature" };
  const ok = await crypto.subtle.verify(
    "HMAC",
    await callbackKey(secret),
    mac as BufferSource,
    signedBytes(timestamp, method, path, body) as BufferSource,
  );
  return ok ? { valid: true } : { valid: false, reason: "room signature does not match" };
}

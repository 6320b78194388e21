import { z } from "zod";

/**
 * Room tokens: short-lived HS256 JWTs the Worker mints and the PartyKit room verifies at the edge,
 * so a project room only admits people the Worker let in. A token proves what was true when it
 * was minted; the room also asks the Worker on every connect whether that still holds
 * (shared/room-callbacks.ts, `admissions`), so an access change refuses tokens minted before it.
 */

export const ROOM_TOKEN_ISSUER = "plaza";
export const ROOM_TOKEN_AUDIENCE = "plaza-rooms";
export const ROOM_TOKEN_ALGORITHM = "HS256";

/** Short on purpose: a socket lives at most one token, and the Worker keeps its admissions this long. */
export const ROOM_TOKEN_MAX_TTL_SECONDS = 300;

/**
 * Browsers cannot set headers on a WebSocket upgrade, so the token travels in the query string.
 * Its short life keeps a token leaked through logs nearly worthless.
 */
export const ROOM_TOKEN_QUERY_PARAM = "token";

export const ROOM_ROLES = ["read", "write"] as const;
export const RoomRoleSchema = z.enum(ROOM_ROLES);
export type RoomRole = z.infer<typeof RoomRoleSchema>;

/** Room ids are project ids; they appear in the room URL path, so keep them URL-safe. */
export const RoomIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "room id must be 1–128 URL-safe characters");

/** What the Worker grants: who joins which room with which role. */
export const RoomGrantSchema = z.object({
  sub: z.string().regex(/^usr_[A-Za-z0-9]+$/, "sub must be a user id (usr_…)"),
  room: RoomIdSchema,
  role: RoomRoleSchema,
  /** Display name for presence; the room never looks users up. */
  name: z.string().trim().min(1).max(100),
  /** The session the token was minted for: ending it (logout, revocation) ends the token too. */
  sid: z.string().regex(/^ses_[A-Za-z0-9]+$/, "sid must be a session id (ses_…)"),
});
export type RoomGrant = z.infer<typeof RoomGrantSchema>;

/** The signed claims: the grant plus the standard JWT claims the room checks. */
export const RoomTokenClaimsSchema = RoomGrantSchema.extend({
  iat: z.number().int().nonnegative(),
  exp: z.number().int().positive(),
  iss: z.literal(ROOM_TOKEN_ISSUER),
  aud: z.literal(ROOM_TOKEN_AUDIENCE),
}).refine((claims) => claims.exp > claims.iat && claims.exp - claims.iat <= ROOM_TOKEN_MAX_TTL_SECONDS, {
  message: `a room token must expire within ${ROOM_TOKEN_MAX_TTL_SECONDS} s of being issued`,
  path: ["exp"],
});
export type RoomTokenClaims = z.infer<typeof RoomTokenClaimsSchema>;

/** Shortest secret either side accepts: HS256 needs a key of at least 256 bits. */
export const ROOM_TOKEN_SECRET_MIN_LENGTH = 32;

/**
 * The HMAC key both sides derive from `ROOM_TOKEN_SECRET`; one function so minting and
 * verifying can never disagree about the encoding.
 */
export function roomTokenKey(secret: string): Uint8Array {
  if (secret.length < ROOM_TOKEN_SECRET_MIN_LENGTH) {
    throw new Error(`ROOM_TOKEN_SECRET must be at least ${ROOM_TOKEN_SECRET_MIN_LENGTH} characters`);
  }
  return new TextEncoder().encode(secret);
}

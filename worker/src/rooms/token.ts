import { SignJWT } from "jose";
import {
  ROOM_TOKEN_ALGORITHM,
  ROOM_TOKEN_AUDIENCE,
  ROOM_TOKEN_ISSUER,
  ROOM_TOKEN_MAX_TTL_SECONDS,
  type RoomGrant,
  RoomGrantSchema,
  type RoomTokenClaims,
  RoomTokenClaimsSchema,
  roomTokenKey,
} from "../../../shared/room-token";

export interface MintRoomTokenOptions {
  /** Lifetime in seconds; at most `ROOM_TOKEN_MAX_TTL_SECONDS`, which is also the default. */
  ttlSeconds?: number;
  /** Clock in milliseconds, for tests. */
  now?: number;
}

export interface MintedRoomToken {
  token: string;
  claims: RoomTokenClaims;
  /** Milliseconds UTC, like every Plaza timestamp. */
  expiresAt: number;
}

/**
 * Signs a room token for `grant`. A lifetime above the cap is a programming error, not something to
 * clamp silently: the room would refuse such a token anyway.
 */
export async function mintRoomToken(secret: string, grant: RoomGrant, options: MintRoomTokenOptions = {}): Promise<MintedRoomToken> {
  const ttlSeconds = options.ttlSeconds ?? ROOM_TOKEN_MAX_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0 || ttlSeconds > ROOM_TOKEN_MAX_TTL_SECONDS) {
    throw new RangeError(`room token ttl must be an integer in 1..${ROOM_TOKEN_MAX_TTL_SECONDS} s, got ${ttlSeconds}`);
  }
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  // Parse the whole claim set with the verifier's schema so we never sign a token the room rejects.
  const claims = RoomTokenClaimsSchema.parse({
    ...RoomGrantSchema.parse(grant),
    iat,
    exp: iat + ttlSeconds,
    iss: ROOM_TOKEN_ISSUER,
    aud: ROOM_TOKEN_AUDIENCE,
  });
  const { sub, room, role, name, sid } = claims;
  const token = await new SignJWT({ room, role, name, sid })
    .setProtectedHeader({ alg: ROOM_TOKEN_ALGORITHM, typ: "JWT" })
    .setSubject(sub)
    .setIssuer(ROOM_TOKEN_ISSUER)
    .setAudience(ROOM_TOKEN_AUDIENCE)
    .setIssuedAt(claims.iat)
    .setExpirationTime(claims.exp)
    .sign(roomTokenKey(secret));
  return { token, claims, expiresAt: claims.exp * 1000 };
}

import { errors, jwtVerify } from "jose";
import {
  ROOM_TOKEN_ALGORITHM,
  ROOM_TOKEN_AUDIENCE,
  ROOM_TOKEN_ISSUER,
  ROOM_TOKEN_MAX_TTL_SECONDS,
  ROOM_TOKEN_QUERY_PARAM,
  type RoomTokenClaims,
  RoomTokenClaimsSchema,
  roomTokenKey,
} from "../shared/room-token";

/**
 * Header carrying the verified claims from `onBeforeConnect` (edge) to `onConnect` (room). It is
 * always overwritten before the request reaches the room, so a client cannot forge it.
 */
export const VERIFIED_USER_HEADER = "x-plaza-user";

export type RoomAdmission = { admitted: true; claims: RoomTokenClaims } | { admitted: false; status: 401 | 403; reason: string };

/**
 * Decides whether a token admits its bearer to `roomId`, locally: signature, algorithm, issuer,
 * audience, expiry and maximum age. 401 when the token proves nothing, 403 when it is valid but
 * names another room.
 */
export async function admitToRoom(token: string | null, roomId: string, secret: string): Promise<RoomAdmission> {
  if (!token) return { admitted: false, status: 401, reason: "missing room token" };
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, roomTokenKey(secret), {
      algorithms: [ROOM_TOKEN_ALGORITHM],
      issuer: ROOM_TOKEN_ISSUER,
      audience: ROOM_TOKEN_AUDIENCE,
      requiredClaims: ["sub", "iat", "exp"],
      // Caps age by `iat` even if a token carries a far-off `exp`; the schema checks exp - iat too.
      maxTokenAge: `${ROOM_TOKEN_MAX_TTL_SECONDS}s`,
    }));
  } catch (err) {
    const reason = err instanceof errors.JWTExpired ? "room token expired" : "room token invalid";
    return { admitted: false, status: 401, reason };
  }
  const claims = RoomTokenClaimsSchema.safeParse(payload);
  if (!claims.success) return { admitted: false, status: 401, reason: "room token invalid" };
  if (claims.data.room !== roomId) return { admitted: false, status: 403, reason: "room token is for another room" };
  return { admitted: true, claims: claims.data };
}

export function tokenFromUrl(url: URL): string | null {
  return url.searchParams.get(ROOM_TOKEN_QUERY_PARAM);
}

/**
 * The request the room receives: verified claims in a header, the token itself removed from the
 * URL so it does not linger in `connection.uri`.
 */
export function withVerifiedUser(request: Request, claims: RoomTokenClaims): Request {
  const url = new URL(request.url);
  url.searchParams.delete(ROOM_TOKEN_QUERY_PARAM);
  const forwarded = new Request(url, request);
  forwarded.headers.set(VERIFIED_USER_HEADER, JSON.stringify(claims));
  return forwarded;
}

/** Reads the claims `withVerifiedUser` attached; null if absent or malformed. */
export function verifiedUserFrom(headers: Headers): RoomTokenClaims | null {
  const raw = headers.get(VERIFIED_USER_HEADER);
  if (!raw) return null;
  try {
    const parsed = RoomTokenClaimsSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Plain-text refusal; PartyKit returns it as the upgrade response, so the socket never opens. */
export function refusal(status: 401 | 403 | 500, reason: string): Response {
  return new Response(reason, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
}

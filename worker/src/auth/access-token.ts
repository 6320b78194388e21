import { sign, verify } from "hono/jwt";
import { JwtTokenExpired } from "hono/utils/jwt/types";
import { AppError } from "../http/errors";

/** Short-lived HS256 access token; `sid` ties it to a session so revocation takes effect at once. */
export interface AccessClaims {
  sub: string;
  sid: string;
  iat: number;
  exp: number;
  typ: "access";
}

export async function signAccessToken(secret: string, userId: string, sessionId: string, ttlSeconds: number) {
  const iat = Math.floor(Date.now() / 1000);
  const claims: AccessClaims = { sub: userId, sid: sessionId, iat, exp: iat + ttlSeconds, typ: "access" };
  return { token: await sign({ ...claims }, secret, "HS256"), expiresAt: claims.exp * 1000 };
}

export async function verifyAccessToken(secret: string, token: string): Promise<AccessClaims> {
  try {
    const claims = (await verify(token, secret, "HS256")) as unknown as AccessClaims;
    if (claims.typ !== "access" || typeof claims.sid !== "string" || typeof claims.sub !== "string") {
      throw new AppError("token_invalid", "The access token is not valid");
    }
    return claims;
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof JwtTokenExpired) throw new AppError("token_expired", "The access token has expired; refresh it");
    throw new AppError("token_invalid", "The access token is not valid");
  }
}

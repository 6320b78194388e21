import { errors, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { SessionId, UserId } from "../../../shared/api";
import { AppError } from "../http/errors";

/**
 * Short-lived HS256 access token; `sid` ties it to a session so revocation takes effect at once.
 * A token whose signature verifies is still only trusted as far as these claims parse.
 */
const AccessClaimsSchema = z.object({
  sub: UserId,
  sid: SessionId,
  typ: z.literal("access"),
  iat: z.number().int().min(0),
  exp: z.number().int().min(0),
});
export type AccessClaims = z.infer<typeof AccessClaimsSchema>;

/** The HMAC key, imported once per secret and isolate rather than on every request. */
const keys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string) {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keys.set(secret, key);
  }
  return key;
}

export async function signAccessToken(secret: string, userId: string, sessionId: string, ttlSeconds: number) {
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + ttlSeconds;
  const token = await new SignJWT({ sid: sessionId, typ: "access" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(await hmacKey(secret));
  return { token, expiresAt: exp * 1000 };
}

export async function verifyAccessToken(secret: string, token: string): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(token, await hmacKey(secret), { algorithms: ["HS256"] });
    const claims = AccessClaimsSchema.safeParse(payload);
    if (!claims.success) throw new AppError("token_invalid", "The access token is not valid");
    return claims.data;
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof errors.JWTExpired) throw new AppError("token_expired", "The access token has expired; refresh it");
    throw new AppError("token_invalid", "The access token is not valid");
  }
}

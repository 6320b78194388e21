import { env } from "cloudflare:workers";
import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { ROOM_TOKEN_MAX_TTL_SECONDS, type RoomGrant, RoomTokenClaimsSchema, roomTokenKey } from "../../../shared/room-token";
import { mintRoomToken } from "./token";

const grant: RoomGrant = { sub: "usr_abc123", room: "prj_roomA", role: "write", name: "Ada", sid: "ses_abc123" };
const now = Date.UTC(2026, 0, 1, 12, 0, 0);

describe("mintRoomToken", () => {
  it("signs the grant with issuer, audience and a lifetime of at most the cap", async () => {
    const { token, claims, expiresAt } = await mintRoomToken(env.ROOM_TOKEN_SECRET, grant, { now });

    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "HS256", typ: "JWT" });
    const payload = decodeJwt(token);
    expect(payload).toEqual({
      sub: "usr_abc123",
      room: "prj_roomA",
      role: "write",
      name: "Ada",
      sid: "ses_abc123",
      iss: "plaza",
      aud: "plaza-rooms",
      iat: now / 1000,
      exp: now / 1000 + ROOM_TOKEN_MAX_TTL_SECONDS,
    });
    expect(claims).toEqual(payload);
    expect(expiresAt).toBe(now + ROOM_TOKEN_MAX_TTL_SECONDS * 1000);
    expect(RoomTokenClaimsSchema.safeParse(payload).success).toBe(true);
  });

  it("produces a token the room's verification settings accept", async () => {
    const { token } = await mintRoomToken(env.ROOM_TOKEN_SECRET, { ...grant, role: "read" }, { ttlSeconds: 60 });
    const { payload } = await jwtVerify(token, roomTokenKey(env.ROOM_TOKEN_SECRET), {
      algorithms: ["HS256"],
      issuer: "plaza",
      audience: "plaza-rooms",
      maxTokenAge: `${ROOM_TOKEN_MAX_TTL_SECONDS}s`,
    });
    expect(payload.role).toBe("read");
    expect(payload.exp! - payload.iat!).toBe(60);
  });

  it("refuses lifetimes above the cap, zero or fractional", async () => {
    for (const ttlSeconds of [ROOM_TOKEN_MAX_TTL_SECONDS + 1, 3600, 0, -5, 1.5]) {
      await expect(mintRoomToken(env.ROOM_TOKEN_SECRET, grant, { ttlSeconds })).rejects.toThrow(RangeError);
    }
    const atCap = await mintRoomToken(env.ROOM_TOKEN_SECRET, grant, { ttlSeconds: ROOM_TOKEN_MAX_TTL_SECONDS });
    expect(atCap.claims.exp - atCap.claims.iat).toBe(ROOM_TOKEN_MAX_TTL_SECONDS);
  });

  it("refuses grants the room would reject and secrets too short for HS256", async () => {
    await expect(mintRoomToken(env.ROOM_TOKEN_SECRET, { ...grant, sub: "org_abc" })).rejects.toThrow();
    await expect(mintRoomToken(env.ROOM_TOKEN_SECRET, { ...grant, room: "../other" })).rejects.toThrow();
    await expect(mintRoomToken(env.ROOM_TOKEN_SECRET, { ...grant, role: "admin" as never })).rejects.toThrow();
    await expect(mintRoomToken(env.ROOM_TOKEN_SECRET, { ...grant, sid: "tok_abc" })).rejects.toThrow();
    await expect(mintRoomToken("short", grant)).rejects.toThrow(/ROOM_TOKEN_SECRET/);
  });
});

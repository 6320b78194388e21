import { describe, expect, it } from "vitest";
import { newId } from "../crypto/random";
import { signDownloadToken, verifyDownloadToken } from "./token";

const secret = () =>
  btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
const claims = () => ({
  tokenId: newId("downloadToken"),
  entitlementId: newId("entitlement"),
  versionId: newId("version"),
  expiresAt: Date.now() + 60_000,
});

describe("download tokens", () => {
  it("round-trips the signed claims under the first key", async () => {
    const keys = `a1:${secret()},a0:${secret()}`;
    const input = claims();
    const { token, keyId } = await signDownloadToken(keys, input);
    expect(keyId).toBe("a1");
    expect(token.startsWith(`a1.${input.tokenId}.${input.entitlementId}.${input.versionId}.${input.expiresAt}.`)).toBe(true);
    expect(await verifyDownloadToken(keys, token)).toEqual({ ...input, keyId: "a1" });
  });

  it("rotates: a token signed by an older key verifies while that key is listed, and not after", async () => {
    const oldKey = `k1:${secret()}`;
    const { token } = await signDownloadToken(oldKey, claims());
    const rotated = `k2:${secret()},${oldKey}`;
    expect((await verifyDownloadToken(rotated, token))?.keyId).toBe("k1");
    expect((await signDownloadToken(rotated, claims())).keyId).toBe("k2");
    expect(await verifyDownloadToken(`k2:${secret()}`, token)).toBeUndefined();
  });

  it("rejects any change to a signed field, the key id or the signature", async () => {
    const keys = `d1:${secret()},d0:${secret()}`;
    const { token } = await signDownloadToken(keys, claims());
    const parts = token.split(".");
    const other = claims();
    const variants = [
      ["d0", ...parts.slice(1)],
      [parts[0], other.tokenId, ...parts.slice(2)],
      [...parts.slice(0, 2), other.entitlementId, ...parts.slice(3)],
      [...parts.slice(0, 3), other.versionId, ...parts.slice(4)],
      [...parts.slice(0, 4), String(Number(parts[4]) + 1), parts[5]],
      [...parts.slice(0, 5), `${parts[5]!.slice(0, 10)}${parts[5]![10] === "A" ? "B" : "A"}${parts[5]!.slice(11)}`],
      // The same signature bytes spelled differently: the last character's two spare bits set.
      [...parts.slice(0, 5), `${parts[5]!.slice(0, -1)}${String.fromCharCode(parts[5]!.charCodeAt(42) + 1)}`],
    ];
    for (const variant of variants) expect(await verifyDownloadToken(keys, variant.join("."))).toBeUndefined();
    for (const garbage of ["", "x", "....", token.slice(0, -1), `${token}x`, `${token}.x`, "x".repeat(10_000)]) {
      expect(await verifyDownloadToken(keys, garbage)).toBeUndefined();
    }
  });

  it("refuses key lists that are empty, short or malformed", async () => {
    for (const spec of [
      undefined,
      "",
      "k1",
      `k1:${btoa("short")}`,
      `bad id:${secret()}`,
      `k1:${secret()},k1:${secret()}`,
      `k1:${secret()}:extra`,
    ]) {
      await expect(signDownloadToken(spec, claims())).rejects.toThrow(/DOWNLOAD_TOKEN_KEYS/);
    }
  });
});

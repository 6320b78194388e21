import { describe, expect, it } from "vitest";
import { open, seal, sealedKeyId } from "./secret-box";

const key = () =>
  btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

describe("secret box (AES-256-GCM at rest)", () => {
  const k1 = `k1:${key()}`;
  const k2 = `k2:${key()}`;

  it("seals as keyId:iv:tag:ciphertext with a fresh IV each time, and opens again", async () => {
    const a = await seal(k1, "acct_123");
    const b = await seal(k1, "acct_123");
    expect(a.split(":")).toHaveLength(4);
    expect(a).not.toBe(b);
    expect(a).not.toContain("acct_123");
    expect(await open(k1, a)).toBe("acct_123");
  });

  it("opens values sealed under a retired key after rotation, and seals with the new one", async () => {
    const old = await seal(k1, "whsec_old");
    const rotated = `${k2},${k1}`;
    expect(await open(rotated, old)).toBe("whsec_old");
    expect(sealedKeyId(await seal(rotated, "new"))).toBe("k2");
  });

  it("refuses tampered ciphertext, tags and unknown key ids", async () => {
    const sealed = await seal(k1, "acct_123");
    const [id, iv, tag, ct] = sealed.split(":");
    const flip = (s: string) => (s[0] === "A" ? "B" : "A") + s.slice(1);
    await expect(open(k1, [id, iv, tag, flip(ct!)].join(":"))).rejects.toThrow();
    await expect(open(k1, [id, iv, flip(tag!), ct].join(":"))).rejects.toThrow();
    await expect(open(k2, sealed)).rejects.toThrow(/unknown key id/);
    await expect(seal("k1:short", "x")).rejects.toThrow(/32 bytes/);
  });
});

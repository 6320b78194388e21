import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  canonicalLicenseKey,
  defaultLicensePrefix,
  LICENSE_KEY,
  LICENSE_KEY_ALPHABET,
  LICENSE_KEY_RANDOM_BITS,
  maskLicenseKey,
} from "../../../shared/licenses";
import { generateLicenseKey, hashLicenseKey, lastGroupOf, lookupHashes } from "./keys";

describe("license key format", () => {
  it("is PREF-XXXX-XXXX-XXXX with 60 random bits from an alphabet without I, L, O or U", () => {
    expect(LICENSE_KEY_ALPHABET).toHaveLength(32);
    expect(new Set(LICENSE_KEY_ALPHABET).size).toBe(32);
    for (const ambiguous of "ILOU") expect(LICENSE_KEY_ALPHABET).not.toContain(ambiguous);
    expect(LICENSE_KEY_RANDOM_BITS).toBeGreaterThanOrEqual(60);
    const key = generateLicenseKey("GENX");
    expect(key).toMatch(LICENSE_KEY);
    expect(key.startsWith("GENX-")).toBe(true);
    expect(lastGroupOf(key)).toBe(key.split("-")[3]);
    expect(maskLicenseKey("GENX", lastGroupOf(key))).toBe(`GENX-••••-••••-${lastGroupOf(key)}`);
  });

  it("draws every character of the alphabet about equally often, and never repeats a key", () => {
    const counts = new Map<string, number>();
    const keys = new Set<string>();
    const N = 4000;
    for (let i = 0; i < N; i++) {
      const key = generateLicenseKey("TEST");
      keys.add(key);
      for (const char of key.slice(5).replaceAll("-", "")) counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    expect(keys.size).toBe(N);
    expect([...counts.keys()].sort().join("")).toBe([...LICENSE_KEY_ALPHABET].sort().join(""));
    // 48,000 draws over 32 symbols: 1,500 each expected. A chi-square over 31 degrees of freedom
    // exceeds 80 with probability ~3e-6; one symbol drawn 25% too often alone adds ~94.
    const expected = (N * 12) / 32;
    const chiSquare = [...counts.values()].reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(80);
  });

  it("reads typed keys leniently (case, dashes, spaces, O/I/L) and refuses anything else", () => {
    const key = generateLicenseKey("GENX");
    expect(canonicalLicenseKey(key)).toBe(key);
    expect(canonicalLicenseKey(` ${key.toLowerCase()} `)).toBe(key);
    expect(canonicalLicenseKey(key.replaceAll("-", ""))).toBe(key);
    expect(canonicalLicenseKey("GENX-0O1I-L000-0000")).toBe("GENX-0011-1000-0000");
    for (const bad of [
      "",
      "GENX",
      "GENX-AAAA-AAAA",
      "GENX-AAAA-AAAA-AAAAA",
      "GENX-UUUU-AAAA-AAAA",
      "GEN!-AAAA-AAAA-AAAA",
      "GENX-AAAA-AAAA-AAA%",
    ]) {
      expect(canonicalLicenseKey(bad), bad).toBeUndefined();
    }
  });

  it("defaults the prefix to the slug's first four letters or digits", () => {
    expect(defaultLicensePrefix("ai-autocomplete")).toBe("AIAU");
    expect(defaultLicensePrefix("team-analytics")).toBe("TEAM");
    expect(defaultLicensePrefix("x1")).toBe("X1XX");
  });
});

describe("license key hashing", () => {
  it("stores an HMAC-SHA256 under LICENSE_KEY_SECRET, found again from any typing of the key", async () => {
    const key = generateLicenseKey("GENX");
    const hash = await hashLicenseKey(env, key);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(key);
    expect((await lookupHashes(env, key.toLowerCase().replaceAll("-", "")))[0]).toBe(hash);
    // Keyed: another secret gives another hash.
    expect(await hashLicenseKey({ ...env, LICENSE_KEY_SECRET: "another-secret-that-is-long-enough-000" }, key)).not.toBe(hash);
    // A malformed key is hashed too (no shortcut), and never to a real key's hash.
    const [malformed] = await lookupHashes(env, "not a key");
    expect(malformed).toMatch(/^[0-9a-f]{64}$/);
  });

  it("rotates: new keys hash under the first secret, every listed secret still finds old ones", async () => {
    const old = "old-secret-0000000000000000000000000000";
    const next = "new-secret-1111111111111111111111111111";
    const key = generateLicenseKey("ROTA");
    const before = await hashLicenseKey({ ...env, LICENSE_KEY_SECRET: old }, key);
    const rotated = { ...env, LICENSE_KEY_SECRET: `${next},${old}` };
    expect(await lookupHashes(rotated, key)).toEqual([await hashLicenseKey({ ...env, LICENSE_KEY_SECRET: next }, key), before]);
  });

  it("refuses short secrets, and production without one; elsewhere falls back to one derived from JWT_SECRET", async () => {
    const key = generateLicenseKey("FALL");
    await expect(hashLicenseKey({ ...env, LICENSE_KEY_SECRET: "short" }, key)).rejects.toThrow(/32 characters/);
    await expect(hashLicenseKey({ ...env, LICENSE_KEY_SECRET: undefined, ENVIRONMENT: "production" }, key)).rejects.toThrow(/not set/);
    const fallback = { ...env, LICENSE_KEY_SECRET: undefined, ENVIRONMENT: "development" as const };
    const derived = { ...env, LICENSE_KEY_SECRET: `dev-fallback-from-jwt-secret:${env.JWT_SECRET}` };
    expect(await lookupHashes(fallback, key)).toEqual([await hashLicenseKey(derived, key)]);
  });
});

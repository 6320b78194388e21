import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { insertLicense } from "../../test/license-fixtures";
import { backgroundContext } from "../context";
import { newId } from "../crypto/random";
import { signDownloadToken } from "../downloads/token";
import worker from "../index";
import { revealLicenseKey } from "../licenses";
import { generateLicenseKey, hashLicenseKey } from "../licenses/keys";
import { toBase64Url } from "./base64url";
import { KeyRingError, type KeyRingKind, keyRing, parseKeyRing } from "./keyring";
import { open, seal } from "./secret-box";

const key = (bytes = 32) => toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
const text = (length = 40) => key(48).slice(0, length);

const HMAC: KeyRingKind = {
  variable: "TEST_KEYS",
  entries: "keyed",
  minLength: 32,
  algorithm: { name: "HMAC", hash: "SHA-256" },
  usages: ["sign", "verify"],
};
const AES: KeyRingKind = { ...HMAC, maxLength: 32, algorithm: { name: "AES-GCM" }, usages: ["encrypt", "decrypt"] };
const TEXT: KeyRingKind = { ...HMAC, entries: "text", usages: ["sign"] };

/** The KeyRingError a spec gets, checked to name the variable and none of the spec's key material. */
function refusal(kind: KeyRingKind, spec: string | undefined) {
  let error: unknown;
  try {
    parseKeyRing(kind, spec);
  } catch (err) {
    error = err;
  }
  expect(error, spec).toBeInstanceOf(KeyRingError);
  const message = (error as Error).message;
  expect(message.startsWith(`${kind.variable}: `)).toBe(true);
  for (const part of (spec ?? "").split(/[,:\s]+/).filter((p) => p.length >= 8)) expect(message).not.toContain(part);
  return message;
}

describe("parsing", () => {
  it("keeps the listed order, newest first: the first entry is the current key", async () => {
    const ring = await keyRing(HMAC)(`k3:${key()},k2:${key(64)},k1:${key()}`);
    expect(ring.current.id).toBe("k3");
    expect(ring.keys.map((k) => k.id)).toEqual(["k3", "k2", "k1"]);
    expect(ring.get("k2")).toBe(ring.keys[1]!.key);
    expect(ring.get("k4")).toBeUndefined();
    const texts = await keyRing(TEXT)(`${text()},${text()}`);
    expect(texts.keys.map((k) => k.id)).toEqual(["#1", "#2"]);
  });

  it("ignores whitespace around entries (a pasted newline, spaces after commas)", () => {
    const [a, b] = [key(), key()];
    expect(parseKeyRing(HMAC, `\n k2:${a} ,\tk1:${b}\n`).map((e) => e.id)).toEqual(["k2", "k1"]);
    expect(toBase64Url(parseKeyRing(HMAC, ` k2:${a} ,k1:${b}`)[0]!.raw)).toBe(a);
    expect(parseKeyRing(TEXT, ` ${text()} ,\n${text()} `)).toHaveLength(2);
  });

  it("refuses a repeated key id, or a repeated text secret", () => {
    expect(refusal(HMAC, `k1:${key()},k0:${key()},k1:${key()}`)).toMatch(/entry 3 of 3 repeats entry 1's key id/);
    const same = text();
    expect(refusal(TEXT, `${same},${text()},${same}`)).toMatch(/entry 3 of 3 repeats entry 1's secret/);
  });

  it("refuses empty entries: a stray comma anywhere, or a list of nothing", () => {
    const [a, b] = [`k2:${key()}`, `k1:${key()}`];
    expect(refusal(HMAC, `${a},,${b}`)).toMatch(/entry 2 of 3 is empty/);
    expect(refusal(HMAC, `${a},`)).toMatch(/entry 2 of 2 is empty/);
    expect(refusal(HMAC, `,${a}`)).toMatch(/entry 1 of 2 is empty/);
    expect(refusal(HMAC, `${a}, ,${b}`)).toMatch(/entry 2 of 3 is empty/);
    expect(refusal(TEXT, `${text()},`)).toMatch(/entry 2 of 2 is empty/);
    for (const unset of [undefined, "", "  \n"]) expect(refusal(HMAC, unset)).toBe("TEST_KEYS: is not set");
  });

  it("refuses a key that is not canonical unpadded base64url", () => {
    const raw = crypto.getRandomValues(new Uint8Array(32));
    const good = toBase64Url(raw);
    const standard = btoa(String.fromCharCode(...raw));
    for (const bad of [
      `${good}=`, // padded
      `${good.slice(0, -1)}${String.fromCharCode(good.charCodeAt(42) + 1)}`, // spare bits set
      `${good.slice(0, 20)}+${good.slice(21)}`,
      `${good.slice(0, 20)}/${good.slice(21)}`,
      `${good.slice(0, 20)} ${good.slice(21)}`,
      `${good}A`.slice(0, 41), // a length base64 cannot have
      "!".repeat(43),
    ]) {
      expect(refusal(HMAC, `k1:${bad}`)).toMatch(/entry 1 of 1 is not keyId:base64url\(32\+ bytes\): the key is not base64url/);
    }
    if (/[+/]/.test(standard)) expect(refusal(HMAC, `k1:${standard}`)).toMatch(/not base64url/);
  });

  it("refuses keys that are too short (or, for AES-256, too long), and malformed entries", () => {
    expect(refusal(HMAC, `k1:${key(31)}`)).toMatch(/entry 1 of 1 is not keyId:base64url\(32\+ bytes\): the key is too short/);
    expect(parseKeyRing(HMAC, `k1:${key(64)}`)).toHaveLength(1);
    expect(refusal(AES, `k1:${key(16)}`)).toMatch(/is not keyId:base64url\(32 bytes\): the key is too short/);
    expect(refusal(AES, `k1:${key(33)}`)).toMatch(/is not keyId:base64url\(32 bytes\): the key is too long/);
    expect(refusal(TEXT, `${text()},${text(31)}`)).toMatch(/entry 2 of 2 is not a secret of at least 32 characters: the key is too short/);
    expect(refusal(HMAC, key())).toMatch(/entry 1 of 1 is not keyId:base64url\(32\+ bytes\)$/);
    expect(refusal(HMAC, `k1:${key()}:${key()}`)).toMatch(/entry 1 of 1 is not keyId:base64url\(32\+ bytes\)$/);
    expect(refusal(HMAC, `bad id:${key()}`)).toMatch(/its key id must be 1-32 of/);
    expect(refusal(HMAC, `:${key()}`)).toMatch(/its key id must be 1-32 of/);
    expect(refusal(HMAC, `${"k".repeat(33)}:${key()}`)).toMatch(/its key id must be 1-32 of/);
  });
});

describe("loading", () => {
  it("imports a ring once per spec, and keeps no failed load", async () => {
    const load = keyRing(HMAC);
    const spec = `k1:${key()}`;
    const ring = await load(spec);
    expect(await load(spec)).toBe(ring);
    expect(await load(`k1:${key()}`)).not.toBe(ring);
    const bad = `k1:${key()},k1:${key()}`;
    await expect(load(bad)).rejects.toBeInstanceOf(KeyRingError);
    await expect(load(bad)).rejects.toBeInstanceOf(KeyRingError);
  });

  it("imports keys for the kind's algorithm and uses only", async () => {
    const { current } = await keyRing(AES)(`k1:${key()}`);
    expect(current.key.algorithm.name).toBe("AES-GCM");
    expect(current.key.usages.sort()).toEqual(["decrypt", "encrypt"]);
    expect(current.key.extractable).toBe(false);
  });
});

describe("every rotatable secret goes through the key ring", () => {
  const claims = () => ({
    tokenId: newId("downloadToken"),
    entitlementId: newId("entitlement"),
    versionId: newId("version"),
    expiresAt: Date.now() + 60_000,
  });

  it("sealing (ENCRYPTION_KEYS) refuses a repeated key id and an empty entry", async () => {
    const k1 = `k1:${key()}`;
    await expect(seal(`${k1},k1:${key()}`, "x")).rejects.toThrow(KeyRingError);
    await expect(seal(`${k1},k1:${key()}`, "x")).rejects.toThrow(/^ENCRYPTION_KEYS: entry 2 of 2 repeats/);
    await expect(open(`${k1},`, await seal(k1, "x"))).rejects.toThrow(/^ENCRYPTION_KEYS: entry 2 of 2 is empty/);
  });

  it("download tokens (DOWNLOAD_TOKEN_KEYS) refuse an empty entry and padded base64", async () => {
    await expect(signDownloadToken(`d1:${key()},`, claims())).rejects.toThrow(/^DOWNLOAD_TOKEN_KEYS: entry 2 of 2 is empty/);
    await expect(signDownloadToken(`d1:${key()}=`, claims())).rejects.toThrow(KeyRingError);
  });

  it("license keys (LICENSE_KEY_SECRET) refuse a repeated secret and an empty entry", async () => {
    const secret = text();
    const licenseKey = generateLicenseKey("RING");
    await expect(hashLicenseKey({ ...env, LICENSE_KEY_SECRET: `${secret},${secret}` }, licenseKey)).rejects.toThrow(
      /^LICENSE_KEY_SECRET: entry 2 of 2 repeats entry 1's secret/,
    );
    await expect(hashLicenseKey({ ...env, LICENSE_KEY_SECRET: `${secret},` }, licenseKey)).rejects.toThrow(KeyRingError);
  });
});

describe("a bad ring in a request", () => {
  afterEach(() => vi.restoreAllMocks());

  it("answers 500 internal_error and logs the variable and the entry, never the key", async () => {
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: string) => void errors.push(line));
    const material = key();
    const badEnv = { ...env, DOWNLOAD_TOKEN_KEYS: `d1:${material},d1:${key()}` };
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request("http://plaza.test/download/not-a-token"), badEnv, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("internal_error");
    const logged = errors.join("\n");
    expect(logged).toContain("DOWNLOAD_TOKEN_KEYS: entry 2 of 2 repeats entry 1's key id");
    expect(logged).not.toContain(material);
  });

  it("fails before a one-time license reveal is spent, so the key is still shown once the ring is fixed", async () => {
    const orgId = newId("org");
    await env.DB.prepare("INSERT INTO orgs (id, slug, name, created_at) VALUES (?, ?, 'Ring Org', ?)")
      .bind(orgId, `ring-${orgId.toLowerCase()}`, Date.now())
      .run();
    const license = await insertLicense(orgId, newId("user"));
    const checkoutId = `cs_${crypto.randomUUID()}`;
    await env.DB.prepare("INSERT INTO license_reveals (license_id, checkout_id, sealed_key, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
      .bind(license.id, checkoutId, await seal(env.ENCRYPTION_KEYS, license.key), Date.now(), Date.now() + 3_600_000)
      .run();
    const ctxOf = (e: typeof env) => backgroundContext(e, { requestId: "keyring-test", handlers: [] });
    await expect(revealLicenseKey(ctxOf({ ...env, ENCRYPTION_KEYS: `${env.ENCRYPTION_KEYS},` }), checkoutId)).rejects.toThrow(KeyRingError);
    expect(await revealLicenseKey(ctxOf(env), checkoutId)).toBe(license.key);
  });
});

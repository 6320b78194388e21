/**
 * License keys: generation, format and the keyed hash they are stored and found by.
 *
 * A key is `PREF-XXXX-XXXX-XXXX` (see shared/licenses.ts): 12 characters of Crockford base32 from
 * the CSPRNG, 60 random bits. Plaza stores only HMAC-SHA256(LICENSE_KEY_SECRET, key) and the last
 * group; a database leak alone does not let anyone test guesses offline.
 */
import { canonicalLicenseKey, LICENSE_KEY_ALPHABET, LICENSE_KEY_GROUP_LENGTH, LICENSE_KEY_GROUPS } from "../../../shared/licenses";
import { keyRing } from "../crypto/keyring";
import type { Env } from "../env";
import { log } from "../http/log";

const encoder = new TextEncoder();
/** Domain separation: the secret could one day key other hashes too. */
const HASH_CONTEXT = "plaza-license-key:v1:";

/** A fresh key with the given prefix. 32 divides 256, so `byte & 31` is uniform: no modulo bias. */
export function generateLicenseKey(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(LICENSE_KEY_GROUPS * LICENSE_KEY_GROUP_LENGTH));
  const chars = [...bytes].map((b) => LICENSE_KEY_ALPHABET[b & 31]).join("");
  const groups = Array.from({ length: LICENSE_KEY_GROUPS }, (_, i) =>
    chars.slice(i * LICENSE_KEY_GROUP_LENGTH, (i + 1) * LICENSE_KEY_GROUP_LENGTH),
  );
  return [prefix, ...groups].join("-");
}

export const lastGroupOf = (key: string) => key.slice(-LICENSE_KEY_GROUP_LENGTH);

type SecretEnv = Pick<Env, "LICENSE_KEY_SECRET" | "ENVIRONMENT" | "JWT_SECRET">;

const licenseKeySecrets = keyRing({
  variable: "LICENSE_KEY_SECRET",
  entries: "text",
  minLength: 32,
  algorithm: { name: "HMAC", hash: "SHA-256" },
  usages: ["sign"],
});

let warnedFallback = false;

/**
 * The HMAC secrets, newest first: `LICENSE_KEY_SECRET` is a key ring of text secrets
 * (crypto/keyring.ts): the first hashes new keys and every one finds existing keys, so it rotates
 * like ENCRYPTION_KEYS (put the new one first; keep the old one while keys hashed with it are in
 * use). Outside production an unset secret falls back to one derived from JWT_SECRET, so `npm start`
 * and wrangler-dev tests work before their harness learns the new secret; production refuses to run
 * without it.
 */
function licenseSecrets(env: SecretEnv) {
  if (env.LICENSE_KEY_SECRET?.trim() || env.ENVIRONMENT === "production" || !env.JWT_SECRET)
    return licenseKeySecrets(env.LICENSE_KEY_SECRET);
  if (!warnedFallback) {
    warnedFallback = true;
    log("warn", "LICENSE_KEY_SECRET is not set; using a development fallback derived from JWT_SECRET");
  }
  // One entry whatever JWT_SECRET holds: commas would split it.
  return licenseKeySecrets(`dev-fallback-from-jwt-secret:${env.JWT_SECRET.replaceAll(",", "")}`);
}

async function hmacHex(key: CryptoKey, value: string) {
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(HASH_CONTEXT + value));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The stored hash of a key (as issued: canonical), under the current secret. */
export async function hashLicenseKey(env: SecretEnv, key: string): Promise<string> {
  return hmacHex((await licenseSecrets(env)).current.key, key);
}

/**
 * What a typed key is looked up by: its hash under every listed secret (the first is the current
 * one). Anything that cannot be a key is hashed all the same, under a marker no canonical key has,
 * so malformed and unknown keys cost the same work and find the same nothing.
 */
export async function lookupHashes(env: SecretEnv, typed: string): Promise<string[]> {
  const canonical = canonicalLicenseKey(typed) ?? `\u0000not-a-key:${typed}`;
  return Promise.all((await licenseSecrets(env)).keys.map(({ key }) => hmacHex(key, canonical)));
}

/**
 * AES-256-GCM for values stored at rest (Stripe account ids, webhook secrets). A sealed value is
 * `keyId:iv:tag:ciphertext` (base64url parts, random 96-bit IV). `ENCRYPTION_KEYS` is a key ring
 * (keyring.ts) of `keyId:base64url(32 bytes)` entries: the first seals, every one opens, so a key
 * is rotated by putting the new one first and keeping the old one until rows are re-sealed.
 */
import { fromBase64Url, toBase64Url } from "./base64url";
import { keyRing } from "./keyring";

const TAG_BYTES = 16;
const encoder = new TextEncoder();

const encryptionKeys = keyRing({
  variable: "ENCRYPTION_KEYS",
  entries: "keyed",
  minLength: 32,
  maxLength: 32,
  algorithm: { name: "AES-GCM" },
  usages: ["encrypt", "decrypt"],
});

export async function seal(keys: string | undefined, plaintext: string): Promise<string> {
  const { current } = await encryptionKeys(keys);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, current.key, encoder.encode(plaintext)));
  const ciphertext = sealed.subarray(0, sealed.length - TAG_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  return [current.id, toBase64Url(iv), toBase64Url(tag), toBase64Url(ciphertext)].join(":");
}

/** Opens a sealed value with whichever listed key sealed it; throws if it was tampered with. */
export async function open(keys: string | undefined, sealed: string): Promise<string> {
  const ring = await encryptionKeys(keys);
  const [id, ...parts] = sealed.split(":");
  const key = id ? ring.get(id) : undefined;
  const [iv, tag, ciphertext] = parts.map(fromBase64Url);
  if (!key || parts.length !== 3 || !iv || !tag || !ciphertext) throw new Error("Sealed value has an unknown key id or shape");
  const body = new Uint8Array([...ciphertext, ...tag]);
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, body);
  return new TextDecoder().decode(plain);
}

/** The key id a sealed value was sealed with (to find rows still under a retired key). */
export const sealedKeyId = (sealed: string) => sealed.split(":")[0];

/** The id of the key that seals new values (the first listed). */
export const currentKeyId = async (keys: string | undefined) => (await encryptionKeys(keys)).current.id;

/**
 * AES-256-GCM for values stored at rest (Stripe account ids, webhook secrets). A sealed value is
 * `keyId:iv:tag:ciphertext` (base64url parts, random 96-bit IV). `ENCRYPTION_KEYS` lists
 * `keyId:base64url-32-bytes` entries separated by commas: the first seals, every one opens, so a
 * key is rotated by putting the new one first and keeping the old one until rows are re-sealed.
 */
const TAG_BYTES = 16;
const encoder = new TextEncoder();

interface Keyring {
  current: { id: string; key: CryptoKey };
  byId: Map<string, CryptoKey>;
}

const keyrings = new Map<string, Promise<Keyring>>();

const toBase64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function decodeOrUndefined(text: string) {
  try {
    return fromBase64Url(text);
  } catch {
    return undefined;
  }
}

async function loadKeyring(spec: string): Promise<Keyring> {
  const entries = spec
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error("ENCRYPTION_KEYS is empty");
  const byId = new Map<string, CryptoKey>();
  let current: Keyring["current"] | undefined;
  for (const entry of entries) {
    const [id, material, ...rest] = entry.split(":");
    const raw = material ? decodeOrUndefined(material) : undefined;
    if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || !raw || raw.length !== 32 || rest.length > 0) {
      throw new Error("ENCRYPTION_KEYS entries must be keyId:base64url(32 bytes)");
    }
    const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    byId.set(id, key);
    current ??= { id, key };
  }
  return { current: current!, byId };
}

function keyring(spec: string | undefined): Promise<Keyring> {
  if (!spec) throw new Error("ENCRYPTION_KEYS is not set");
  let ring = keyrings.get(spec);
  if (!ring) {
    ring = loadKeyring(spec);
    keyrings.set(spec, ring);
  }
  return ring;
}

export async function seal(keys: string | undefined, plaintext: string): Promise<string> {
  const { current } = await keyring(keys);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, current.key, encoder.encode(plaintext)));
  const ciphertext = sealed.subarray(0, sealed.length - TAG_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  return [current.id, toBase64Url(iv), toBase64Url(tag), toBase64Url(ciphertext)].join(":");
}

/** Opens a sealed value with whichever listed key sealed it; throws if it was tampered with. */
export async function open(keys: string | undefined, sealed: string): Promise<string> {
  const { byId } = await keyring(keys);
  const [id, iv, tag, ciphertext] = sealed.split(":");
  const key = id ? byId.get(id) : undefined;
  if (!key || iv === undefined || tag === undefined || ciphertext === undefined)
    throw new Error("Sealed value has an unknown key id or shape");
  const body = new Uint8Array([...fromBase64Url(ciphertext), ...fromBase64Url(tag)]);
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64Url(iv) }, key, body);
  return new TextDecoder().decode(plain);
}

/** The key id a sealed value was sealed with (to find rows still under a retired key). */
export const sealedKeyId = (sealed: string) => sealed.split(":")[0];

/** The id of the key that seals new values (the first listed). */
export const currentKeyId = async (keys: string | undefined) => (await keyring(keys)).current.id;

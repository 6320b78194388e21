/**
 * Key rings: every rotatable secret (ENCRYPTION_KEYS, DOWNLOAD_TOKEN_KEYS, LICENSE_KEY_SECRET) is a
 * comma-separated list, newest first. The first key seals or signs, every key opens or verifies.
 *
 * An entry is `keyId:base64url(key)`, or in a ring of text secrets the secret itself (its UTF-8 is
 * the key, its place its id: `#1`, `#2`…). Whitespace around entries is ignored; anything else off
 * refuses the whole ring: an empty entry (a stray comma, or a shell variable that expanded to
 * nothing: a key gone missing), a repeated key id or secret, a key not canonical base64url, too
 * short or too long.
 *
 * A bad ring throws `KeyRingError` at its first use, naming the variable and the entry's place,
 * never key material: a request answers 500 `internal_error` and the error handler logs it, a queue
 * message is retried by its consumer's policy, a cron job is recorded failed. Nothing turns it into
 * another answer (a spent license reveal, a failed webhook attempt): those check the ring first.
 */
import { fromBase64Url } from "./base64url";

export class KeyRingError extends Error {
  override name = "KeyRingError";
}

export interface KeyRingKind {
  /** The env variable, named in every error. */
  variable: string;
  /** `keyId:base64url` entries, or text secrets identified by their place. */
  entries: "keyed" | "text";
  /** Least key length: bytes of a keyed entry's key, characters of a text secret. */
  minLength: number;
  /** Greatest key length, when the algorithm takes one size (AES-256: 32 bytes). */
  maxLength?: number;
  algorithm: SubtleCryptoImportKeyAlgorithm;
  usages: KeyUsage[];
}

export interface RingKey {
  id: string;
  key: CryptoKey;
}

export interface KeyRing {
  /** The newest key: it seals and signs. */
  current: RingKey;
  /** Every key, newest first. */
  keys: readonly RingKey[];
  /** The key with this id, if listed. */
  get(id: string): CryptoKey | undefined;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const encoder = new TextEncoder();

/** What a well-formed entry of this kind looks like, for error messages. */
function shape(kind: KeyRingKind) {
  const size = kind.maxLength === kind.minLength ? `${kind.minLength}` : `${kind.minLength}+`;
  return kind.entries === "keyed" ? `keyId:base64url(${size} bytes)` : `a secret of at least ${kind.minLength} characters`;
}

/** The entries' ids and raw keys, newest first; throws KeyRingError on anything off. */
export function parseKeyRing(kind: KeyRingKind, spec: string | undefined): { id: string; raw: Uint8Array<ArrayBuffer> }[] {
  const fail = (why: string): never => {
    throw new KeyRingError(`${kind.variable}: ${why}`);
  };
  if (!spec?.trim()) fail("is not set");
  const entries = spec!.split(",").map((entry) => entry.trim());
  const seen = new Map<string, number>();
  return entries.map((entry, i) => {
    const place = `entry ${i + 1} of ${entries.length}`;
    if (!entry) fail(`${place} is empty (a stray comma, or a key gone missing)`);
    let id: string;
    let raw: Uint8Array<ArrayBuffer> | undefined;
    let length: number;
    if (kind.entries === "keyed") {
      const [keyId, material, ...rest] = entry.split(":");
      if (material === undefined || rest.length > 0) fail(`${place} is not ${shape(kind)}`);
      if (!KEY_ID.test(keyId!)) fail(`${place} is not ${shape(kind)}: its key id must be 1-32 of A-Z a-z 0-9 _ -`);
      raw = fromBase64Url(material!);
      if (!raw) fail(`${place} is not ${shape(kind)}: the key is not base64url`);
      id = keyId!;
      length = raw!.byteLength;
    } else {
      // A text secret is its own identity here; only its place is ever shown.
      id = entry;
      raw = encoder.encode(entry);
      length = entry.length;
    }
    if (length < kind.minLength || (kind.maxLength !== undefined && length > kind.maxLength))
      fail(`${place} is not ${shape(kind)}: the key is ${length < kind.minLength ? "too short" : "too long"}`);
    const earlier = seen.get(id);
    if (earlier !== undefined) fail(`${place} repeats entry ${earlier}'s ${kind.entries === "keyed" ? "key id" : "secret"}`);
    seen.set(id, i + 1);
    return { id: kind.entries === "keyed" ? id : `#${i + 1}`, raw: raw! };
  });
}

async function importRing(kind: KeyRingKind, spec: string | undefined): Promise<KeyRing> {
  const parsed = parseKeyRing(kind, spec);
  const keys = await Promise.all(
    parsed.map(async ({ id, raw }) => ({ id, key: await crypto.subtle.importKey("raw", raw, kind.algorithm, false, kind.usages) })),
  ).catch(() => {
    throw new KeyRingError(`${kind.variable}: a key could not be imported as ${kind.algorithm.name}`);
  });
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  return { current: keys[0]!, keys, get: (id) => byId.get(id) };
}

/**
 * The loader of one kind of ring: the ring a spec (the env string) describes, imported on first use
 * and then served from memory for as long as the isolate lives.
 */
export function keyRing(kind: KeyRingKind): (spec: string | undefined) => Promise<KeyRing> {
  const loaded = new Map<string, Promise<KeyRing>>();
  return (spec) => {
    const cached = spec === undefined ? undefined : loaded.get(spec);
    if (cached) return cached;
    const ring = importRing(kind, spec);
    if (spec !== undefined) {
      loaded.set(spec, ring);
      ring.catch(() => loaded.delete(spec));
    }
    return ring;
  };
}

/**
 * Download tokens: `<keyId>.<tokenId>.<entitlementId>.<versionId>.<expiresAt>.<signature>`, where
 * the signature is HMAC-SHA256 (base64url) over every field before it, under the key `keyId` names.
 * `DOWNLOAD_TOKEN_KEYS` is a key ring (crypto/keyring.ts) of `keyId:base64url(32+ bytes)` entries:
 * the first signs, every one verifies, so a key is rotated by putting a new one first and dropping
 * the old one once its links have expired (7 days at most).
 *
 * Nothing about a token is trusted before its signature checks out (`crypto.subtle.verify`, which
 * compares in constant time); every way a token can fail to parse or verify gives the same answer.
 */
import { truncateText } from "../../../shared/text";
import { fromBase64Url, toBase64Url } from "../crypto/base64url";
import { keyRing } from "../crypto/keyring";

const encoder = new TextEncoder();
const DOMAIN = "plaza-download-v1";
const MIN_KEY_BYTES = 32;
const MAX_TOKEN_LENGTH = 512;

export interface DownloadClaims {
  keyId: string;
  tokenId: string;
  entitlementId: string;
  versionId: string;
  /** ms since the epoch. */
  expiresAt: number;
}

const TOKEN =
  /^([A-Za-z0-9_-]{1,32})\.(dlt_[A-Za-z0-9]{16,32})\.(ent_[A-Za-z0-9]{16,32})\.(ver_[A-Za-z0-9]{16,32})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

const downloadTokenKeys = keyRing({
  variable: "DOWNLOAD_TOKEN_KEYS",
  entries: "keyed",
  minLength: MIN_KEY_BYTES,
  algorithm: { name: "HMAC", hash: "SHA-256" },
  usages: ["sign", "verify"],
});

const signedPart = (c: DownloadClaims) => `${c.keyId}.${c.tokenId}.${c.entitlementId}.${c.versionId}.${c.expiresAt}`;
const message = (signed: string) => encoder.encode(`${DOMAIN}.${signed}`);

/** Signs the claims with the first key; `keyId` in the input is ignored and set to that key's id. */
export async function signDownloadToken(
  keys: string | undefined,
  claims: Omit<DownloadClaims, "keyId">,
): Promise<{ token: string; keyId: string }> {
  const { current } = await downloadTokenKeys(keys);
  const signed = signedPart({ ...claims, keyId: current.id });
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", current.key, message(signed)));
  return { token: `${signed}.${toBase64Url(signature)}`, keyId: current.id };
}

/**
 * The claims of a token whose signature verifies under a listed key, else undefined: malformed,
 * unknown key and forged all look the same (and each costs one HMAC verification).
 */
export async function verifyDownloadToken(keys: string | undefined, token: string): Promise<DownloadClaims | undefined> {
  const ring = await downloadTokenKeys(keys);
  const match = token.length <= MAX_TOKEN_LENGTH ? TOKEN.exec(token) : null;
  const key = match ? ring.get(match[1]!) : undefined;
  // fromBase64Url takes only the canonical spelling: the last character's two spare bits could otherwise vary.
  const signature = match ? fromBase64Url(match[6]!) : undefined;
  if (!match || !key || !signature || signature.length !== 32) {
    // Same work as a real check, so failing early says nothing about which part was wrong.
    await crypto.subtle.verify("HMAC", ring.current.key, new Uint8Array(32), message(truncateText(token, MAX_TOKEN_LENGTH)));
    return undefined;
  }
  const signed = token.slice(0, token.lastIndexOf("."));
  if (!(await crypto.subtle.verify("HMAC", key, signature, message(signed)))) return undefined;
  const expiresAt = Number(match[5]);
  if (!Number.isSafeInteger(expiresAt)) return undefined;
  return { keyId: match[1]!, tokenId: match[2]!, entitlementId: match[3]!, versionId: match[4]!, expiresAt };
}

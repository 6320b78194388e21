import { ID_PREFIX, type IdKind } from "../../../shared/ids";

const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Uniform base62 string from a CSPRNG (rejection sampling: no modulo bias). */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 248 && out.length < length) out += ALPHANUMERIC[byte % 62];
    }
  }
  return out;
}

/** `usr_…` style id with ~119 bits of randomness. */
export function newId(kind: IdKind): string {
  return `${ID_PREFIX[kind]}_${randomBase62(20)}`;
}

/** An opaque secret with 190+ random bits, for refresh tokens, API tokens and e-mail links. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBase62(32)}`;
}

/**
 * An id derived from what caused a row (a Stripe object id, a ledger reference), so that processing
 * the same event twice writes the same ids and every insert after the first is a no-op.
 */
export async function derivedId(kind: IdKind, source: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${kind}:${source}`)));
  let out = "";
  for (const byte of digest) if (out.length < 20 && byte < 248) out += ALPHANUMERIC[byte % 62];
  return `${ID_PREFIX[kind]}_${out}`;
}

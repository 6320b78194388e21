import { timingSafeEqual } from "node:crypto";

const encoder = new TextEncoder();

/** Hex SHA-256: how tokens are stored, so a database leak yields nothing usable; also the digest of stored bytes. */
export async function sha256Hex(value: string | Uint8Array): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", (typeof value === "string" ? encoder.encode(value) : value) as BufferSource));
}

/** Lowercase hex of a digest (a DigestStream's, a subtle.digest's). */
export const toHex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** Constant-time string equality (lengths may differ; that alone leaks nothing secret). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

import type { AppError } from "../http/errors";

/**
 * Reads a body into memory, refusing it as soon as it passes `max` bytes: a declared
 * Content-Length over the cap is refused before reading, and a body that lies about (or omits)
 * its length is cut off while it streams, so nothing unbounded is ever buffered.
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  max: number,
  declared: string | null | undefined,
  tooLarge: () => AppError,
): Promise<Uint8Array> {
  if (declared && /^\d+$/.test(declared) && Number(declared) > max) throw tooLarge();
  if (!body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

export async function sha256HexOf(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

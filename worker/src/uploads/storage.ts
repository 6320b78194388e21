/**
 * The R2 side of an upload: parts of one multipart upload, the bytes that do not fill a part yet
 * (a temporary object, prepended to the next PATCH, as tusd's S3 store keeps its `.part`), the
 * whole file's digest, and freeing it all.
 */

import { randomBase62 } from "../crypto/random";
import type { Env } from "../env";
import type { StoredPart } from "./tables";
import { uploadPrefix } from "./targets";

/** R2 wants parts of one size (≥ 5 MiB) but the last: 8 MiB keeps a 2 GiB file at 256 parts, far under R2's 10,000. */
export const PART_SIZE = 8 * 1024 * 1024;

const digestStream = () => new (crypto as unknown as { DigestStream: typeof DigestStream }).DigestStream("SHA-256");
const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Collects a PATCH's bytes into parts: starts with the pending bytes of earlier PATCHes, uploads
 * each full part as it fills (`onPart` then records it), and leaves the rest in `pending`. With a
 * checksum, the PATCH's own bytes are hashed on the way.
 */
export class PartWriter {
  private buffer = new Uint8Array(PART_SIZE);
  private filled = 0;
  private readonly hash?: WritableStreamDefaultWriter<ArrayBufferView>;
  private readonly digest?: Promise<ArrayBuffer>;
  readonly parts: StoredPart[];

  constructor(
    private readonly multipart: R2MultipartUpload,
    parts: readonly StoredPart[],
    pending: Uint8Array | undefined,
    private readonly onPart: (parts: StoredPart[]) => Promise<void>,
    withDigest: boolean,
  ) {
    this.parts = [...parts];
    if (pending) this.append(pending);
    if (withDigest) {
      const stream = digestStream();
      this.digest = stream.digest;
      this.hash = stream.getWriter();
    }
  }

  get pendingSize() {
    return this.filled;
  }

  private append(bytes: Uint8Array) {
    this.buffer.set(bytes, this.filled);
    this.filled += bytes.length;
  }

  async write(bytes: Uint8Array) {
    await this.hash?.write(bytes);
    let rest = bytes;
    while (rest.length) {
      const n = Math.min(rest.length, PART_SIZE - this.filled);
      this.append(rest.subarray(0, n));
      rest = rest.subarray(n);
      if (this.filled === PART_SIZE) await this.flush();
    }
  }

  /** Uploads what is buffered as the next part: a full one (recorded through `onPart`), or the file's last. */
  async flush({ last }: { last: boolean } = { last: false }) {
    const uploaded = await this.multipart.uploadPart(this.parts.length + 1, this.buffer.subarray(0, this.filled));
    this.parts.push({ partNumber: uploaded.partNumber, etag: uploaded.etag });
    this.buffer = new Uint8Array(PART_SIZE);
    this.filled = 0;
    if (!last) await this.onPart(this.parts);
  }

  /** The SHA-256 of the bytes written (not of the pending bytes it started with). */
  async writtenDigest(): Promise<Uint8Array> {
    if (!this.hash || !this.digest) throw new Error("PartWriter was made without a digest");
    await this.hash.close();
    return new Uint8Array(await this.digest);
  }

  /** Stores the bytes short of a part as a new temporary object; answers its key (none when empty). */
  async savePending(env: Env, uploadId: string): Promise<string | null> {
    if (!this.filled) return null;
    const key = `${uploadPrefix(uploadId)}pending-${randomBase62(12)}`;
    await env.BUCKET.put(key, this.buffer.subarray(0, this.filled));
    return key;
  }
}

/** The pending bytes earlier PATCHes left, checked against the size the row recorded. */
export async function readPending(env: Env, key: string | null, size: number): Promise<Uint8Array | undefined> {
  if (!key) return undefined;
  const object = await env.BUCKET.get(key);
  const bytes = object && new Uint8Array(await object.arrayBuffer());
  if (!bytes || bytes.length !== size) throw new Error(`pending bytes ${key} are missing or not ${size} bytes`);
  return bytes;
}

/** The whole file's SHA-256 (hex), streamed through a DigestStream: never buffered, whatever its size. */
export async function storedSha256(env: Env, key: string): Promise<string | undefined> {
  const object = await env.BUCKET.get(key);
  if (!object) return undefined;
  const digest = digestStream();
  await object.body.pipeTo(digest);
  return hex(await digest.digest);
}

export const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i]);

/**
 * Frees what an unfinished upload holds in R2: its multipart upload (aborting it deletes every
 * part), its temporary objects, and the assembled file if it was completed but never adopted.
 */
export async function freeUploadStorage(env: Env, upload: { id: string; r2Key: string; multipartId: string }) {
  try {
    await env.BUCKET.resumeMultipartUpload(upload.r2Key, upload.multipartId).abort();
  } catch {
    // Already completed or aborted: nothing left of it to free.
  }
  await env.BUCKET.delete(upload.r2Key);
  let cursor: string | undefined;
  do {
    const page = await env.BUCKET.list({ prefix: uploadPrefix(upload.id), cursor, limit: 1000 });
    if (page.objects.length) await env.BUCKET.delete(page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}

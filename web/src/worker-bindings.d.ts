/**
 * web/ type-checks the Worker's route types (for `hc`) without @cloudflare/workers-types, whose
 * global `Element` (HTMLRewriter's) replaces the DOM's `append`/`after` signatures. These are the
 * only binding types reached from `ApiType`; the client never touches them, so opaque will do.
 */
interface D1Database {
  prepare(query: string): D1PreparedStatement;
  batch<T = Record<string, unknown>>(statements: D1PreparedStatement[]): Promise<{ results: T[] }[]>;
  exec(query: string): Promise<unknown>;
  dump(): Promise<ArrayBuffer>;
  withSession(constraintOrBookmark?: string): D1DatabaseSession;
}
/** A D1 session (read replicas): what the request context starts for each request. */
interface D1DatabaseSession {
  prepare(query: string): D1PreparedStatement;
  batch<T = Record<string, unknown>>(statements: D1PreparedStatement[]): Promise<{ results: T[] }[]>;
  getBookmark(): string | null;
}
interface D1PreparedStatement {
  bind(...values: unknown[]): D1PreparedStatement;
  all<T = Record<string, unknown>>(): Promise<{ results: T[]; meta: { rows_read?: number } }>;
  first<T = Record<string, unknown>>(): Promise<T | null>;
}
/** Loose on purpose: only the Worker's own code (not web/) reads what these return. */
interface R2Bucket {
  put(key: string, value: unknown, options?: unknown): Promise<unknown>;
  get(key: string, options?: unknown): Promise<any>;
  delete(keys: string | string[]): Promise<void>;
  list(options?: unknown): Promise<{ objects: any[]; truncated: boolean; cursor?: string }>;
  head(key: string): Promise<any>;
  createMultipartUpload(key: string, options?: unknown): Promise<R2MultipartUpload>;
  resumeMultipartUpload(key: string, uploadId: string): R2MultipartUpload;
}
/** An R2 multipart upload (resumable uploads keep one per tus upload). */
interface R2MultipartUpload {
  readonly key: string;
  readonly uploadId: string;
  uploadPart(partNumber: number, value: unknown): Promise<{ partNumber: number; etag: string }>;
  abort(): Promise<void>;
  complete(parts: { partNumber: number; etag: string }[]): Promise<unknown>;
}
/** workerd's stream helpers used by asset uploads (streamed to R2, hashed on the way). */
declare class FixedLengthStream extends TransformStream<Uint8Array, Uint8Array> {
  constructor(length: number | bigint);
}
declare class DigestStream extends WritableStream<ArrayBuffer | ArrayBufferView> {
  constructor(algorithm: string | { name: string });
  readonly digest: Promise<ArrayBuffer>;
}
interface Queue<Body = unknown> {
  send(body: Body, options?: unknown): Promise<unknown>;
  sendBatch(messages: Iterable<{ body: Body }>): Promise<void>;
}
interface Fetcher {}
/** Cloudflare Images (media variants): what the media queue consumer calls. */
interface ImagesBinding {
  info(stream: ReadableStream<Uint8Array>): Promise<ImageInfoResponse>;
  input(stream: ReadableStream<Uint8Array>): ImageTransformer;
}
type ImageInfoResponse = { format: "image/svg+xml" } | { format: string; fileSize: number; width: number; height: number };
interface ImageTransformer {
  transform(transform: { width?: number; height?: number }): ImageTransformer;
  output(options: { format: string; quality?: number }): Promise<{ response(): Response }>;
}
/** Cloudflare Email Service's `send_email` binding (the mail transport). */
interface SendEmail {
  send(message: unknown): Promise<unknown>;
}
/** A queue message and batch (the modules' queue consumers are reachable from the route modules). */
interface Message<Body = unknown> {
  readonly id: string;
  readonly timestamp: Date;
  readonly body: Body;
  readonly attempts: number;
  ack(): void;
  retry(options?: unknown): void;
}
interface MessageBatch<Body = unknown> {
  readonly queue: string;
  readonly messages: readonly Message<Body>[];
  ackAll(): void;
  retryAll(options?: unknown): void;
}
/** workerd's name for what `crypto.subtle.importKey` takes (the key ring's algorithms). */
interface SubtleCryptoImportKeyAlgorithm {
  name: string;
  hash?: string | { name: string };
  length?: number;
  namedCurve?: string;
}
/** Durable Objects (the rate-limit counters): a stub's methods are the class's, made async. */
type DurableObjectStub<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};
interface DurableObjectNamespace<T = unknown> {
  getByName(name: string): DurableObjectStub<T>;
}
interface DurableObjectState {
  storage: {
    kv: { get<T>(key: string): T | undefined; put<T>(key: string, value: T): void };
    setAlarm(scheduledTime: number): Promise<void>;
    deleteAll(): Promise<void>;
  };
}
declare module "cloudflare:workers" {
  export class DurableObject<Env = unknown> {
    protected ctx: DurableObjectState;
    protected env: Env;
    constructor(ctx: DurableObjectState, env: Env);
    alarm?(): void | Promise<void>;
  }
}

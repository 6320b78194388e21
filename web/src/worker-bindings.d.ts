/**
 * web/ type-checks the Worker's route types (for `hc`) without @cloudflare/workers-types, whose
 * global `Element` (HTMLRewriter's) replaces the DOM's `append`/`after` signatures. These are the
 * only binding types reached from `ApiType`; the client never touches them, so opaque will do.
 */
interface D1Database {}
interface R2Bucket {}
interface Queue<Body = unknown> {
  send(body: Body): Promise<void>;
  sendBatch(messages: Iterable<{ body: Body }>): Promise<void>;
}
interface Fetcher {}

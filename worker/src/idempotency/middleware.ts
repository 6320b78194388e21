import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import { TUS_ENDPOINT } from "../../../shared/uploads";
import { sha256Hex, toHex } from "../crypto/hash";
import type { AppEnv } from "../env";
import { AppError } from "../http/errors";
import { claimKey, finishKey, type KeyOf, keyHolder, releaseKey, type StoredResponse } from "./store";

export const IDEMPOTENCY_HEADER = "idempotency-key";
export const REPLAYED_HEADER = "idempotent-replayed";

/** 1–255 visible ASCII characters (the IETF draft leaves the syntax to the server; Stripe takes 255). */
const KEY = /^[\x21-\x7e]{1,255}$/;
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Headers a replay carries again, beside Set-Cookie (a replayed login would otherwise leave the browser without its refresh cookie). */
const STORED_HEADERS = ["content-type", "etag", "location"];

/**
 * Routes that give the key a meaning of their own keep it: the middleware passes them through.
 * A refund's key names one refund of its order for as long as the refund exists, and a retry
 * answers that refund as it stands now (a copy would stay `pending`); checkout passes the key on to
 * Stripe, which replays its Checkout Session, scoped by the buyer's e-mail (a guest here would
 * share the one `anon` scope), and tells a key Stripe forgot after 24 hours (422).
 */
const OWN_MEANING = new Set([
  "POST /v1/orgs/:orgId/orders/:orderId/refund",
  "POST /v1/operator/orders/:orderId/refund",
  "POST /v1/items/:slug/checkout",
]);
/**
 * Callers that are safe to repeat by their own protocol, passed through by path: Stripe's events
 * (signed, deduplicated by event id) and the rooms' callbacks (signed by the room; with no user
 * every room would share the `anon` scope), and tus, whose offsets say where a retry resumes (and
 * whose bodies, up to gigabytes, would have to be hashed before the route ran).
 */
const OWN_PROTOCOL = ["/v1/stripe/", "/v1/rooms/", `${TUS_ENDPOINT}/`];

const passesThrough = (c: Context<AppEnv>) =>
  OWN_MEANING.has(`${c.req.method} ${routePath(c, -1)}`) || OWN_PROTOCOL.some((prefix) => `${c.req.path}/`.startsWith(prefix));

/**
 * `Idempotency-Key` on POST/PUT/PATCH/DELETE (after `authenticate()`): the first request with a
 * key claims it and its response is stored for 24 hours; the same key and request again answer
 * that response with `Idempotent-Replayed: true`. Another request under the key is 422, one while
 * the first still runs 409. A 5xx, 429 or thrown error is not stored: the key is released and a
 * retry runs again. Without the header nothing happens (no D1 query).
 */
export const idempotency = () =>
  createMiddleware<AppEnv>(async function idempotency(c, next) {
    const key = c.req.header(IDEMPOTENCY_HEADER);
    if (key === undefined || !MUTATING.has(c.req.method) || passesThrough(c)) return next();
    if (!KEY.test(key))
      throw new AppError("invalid_request", "Idempotency-Key must be 1-255 visible ASCII characters", {
        fields: { "header.idempotency-key": ["1-255 visible ASCII characters"] },
      });
    const principal = c.get("principal");
    // A user's key survives a new access token (sessions and personal API tokens alike).
    const id: KeyOf = { scope: principal ? `user:${principal.userId}` : "anon", key };
    const fingerprint = await requestFingerprint(c, !principal);
    const { db, env } = c.var.ctx;
    const claim = crypto.randomUUID();
    // A second try when the holder's row vanished between the claim and the read (released or purged).
    for (let attempt = 0; attempt < 2; attempt++) {
      if (await claimKey(db, id, fingerprint, claim, Date.now())) return runClaimed(c, next, id, claim);
      const holder = await keyHolder(db, env, id);
      if (holder.state === "gone") continue;
      if (holder.fingerprint !== fingerprint)
        throw new AppError("idempotency_key_reused", "This Idempotency-Key was used for another request; use a new key");
      if (holder.state === "running") throw inProgress();
      return replay(holder.response);
    }
    throw inProgress();
  });

const inProgress = () =>
  new AppError("idempotency_in_progress", "The first request with this Idempotency-Key is still running", {
    headers: { "retry-after": "1" },
  });

/** Runs the route as the key's holder; stores what it answered before answering it. */
async function runClaimed(c: Context<AppEnv>, next: () => Promise<void>, id: KeyOf, claim: string) {
  const { db, env } = c.var.ctx;
  try {
    await next();
  } catch (err) {
    await releaseKey(db, id, claim);
    throw err;
  }
  const res = c.res;
  const failed = res.status >= 500 || res.status === 429 || (c.error !== undefined && !(c.error instanceof AppError));
  if (failed) return releaseKey(db, id, claim);
  const headers = STORED_HEADERS.flatMap((name): [string, string][] => {
    const value = res.headers.get(name);
    return value === null ? [] : [[name, value]];
  });
  for (const cookie of res.headers.getSetCookie()) headers.push(["set-cookie", cookie]);
  await finishKey(db, env, id, claim, { status: res.status, headers, body: await res.clone().text() });
}

function replay(stored: StoredResponse): Response {
  const headers = new Headers(stored.headers);
  headers.set(REPLAYED_HEADER, "true");
  return new Response(stored.body === "" ? null : stored.body, { status: stored.status, headers });
}

/**
 * SHA-256 of method, path with query and the body's SHA-256 (hashed from a copy, so the route
 * still reads the body, streamed or not). Anonymous requests add their cookies: the refresh
 * cookie is the credential of a refresh without a body.
 */
async function requestFingerprint(c: Context<AppEnv>, anonymous: boolean): Promise<string> {
  const url = new URL(c.req.url);
  const parts = [c.req.method, url.pathname + url.search, await bodyDigest(c.req.raw)];
  if (anonymous) parts.push(c.req.header("cookie") ?? "");
  return sha256Hex(parts.join("\n"));
}

async function bodyDigest(request: Request): Promise<string> {
  // workerd's crypto.DigestStream; the Node typings of `crypto` hide it.
  const digest = new (crypto as unknown as { DigestStream: typeof DigestStream }).DigestStream("SHA-256");
  const body = request.clone().body;
  if (body) await body.pipeTo(digest);
  else await digest.getWriter().close();
  return toHex(await digest.digest);
}

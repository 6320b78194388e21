import { and, eq, inArray, lte, or, sql } from "drizzle-orm";
import { open, seal } from "../crypto/secret-box";
import type { Db } from "../db/client";
import type { Env } from "../env";
import { idempotencyKeys } from "./tables";

/** How long a finished request's response is answered again (Stripe's window). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;
/** A claim still `running` after this long was abandoned (its isolate died): the next retry takes it over. */
export const ABANDONED_CLAIM_MS = 5 * 60_000;

/** The part of a response that is answered again. */
export interface StoredResponse {
  status: number;
  headers: [string, string][];
  body: string;
}

export interface KeyOf {
  scope: string;
  key: string;
}

/**
 * Claims the key for this request in one statement (D1 runs one at a time, so of concurrent
 * requests exactly one wins): a new key, or one whose row expired or was abandoned. Answers whether
 * `claim` now holds it.
 */
export async function claimKey(db: Db, id: KeyOf, fingerprint: string, claim: string, now: number): Promise<boolean> {
  const row = { ...id, fingerprint, claim, state: "running" as const, response: null, createdAt: now };
  const taken = await db
    .insert(idempotencyKeys)
    .values(row)
    .onConflictDoUpdate({
      target: [idempotencyKeys.scope, idempotencyKeys.key],
      set: { fingerprint, claim, state: "running", response: null, createdAt: now },
      setWhere: or(
        lte(idempotencyKeys.createdAt, now - IDEMPOTENCY_TTL_MS),
        and(eq(idempotencyKeys.state, "running"), lte(idempotencyKeys.createdAt, now - ABANDONED_CLAIM_MS)),
      ),
    })
    .returning({ claim: idempotencyKeys.claim });
  return taken[0]?.claim === claim;
}

/** Where another request's claim on the key stands. */
export type Holder =
  | { state: "running"; fingerprint: string }
  | { state: "done"; fingerprint: string; response: StoredResponse }
  | { state: "gone" };

export async function keyHolder(db: Db, env: Pick<Env, "ENCRYPTION_KEYS">, id: KeyOf): Promise<Holder> {
  const [row] = await db
    .select({ state: idempotencyKeys.state, fingerprint: idempotencyKeys.fingerprint, response: idempotencyKeys.response })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, id.scope), eq(idempotencyKeys.key, id.key)))
    .limit(1);
  if (!row) return { state: "gone" };
  if (row.state === "running" || row.response === null) return { state: "running", fingerprint: row.fingerprint };
  return { state: "done", fingerprint: row.fingerprint, response: JSON.parse(await open(env.ENCRYPTION_KEYS, row.response)) };
}

const heldBy = (id: KeyOf, claim: string) =>
  and(eq(idempotencyKeys.scope, id.scope), eq(idempotencyKeys.key, id.key), eq(idempotencyKeys.claim, claim));

/** Stores the claimed request's response, sealed; a claim taken over meanwhile is left alone. */
export async function finishKey(db: Db, env: Pick<Env, "ENCRYPTION_KEYS">, id: KeyOf, claim: string, response: StoredResponse) {
  const sealed = await seal(env.ENCRYPTION_KEYS, JSON.stringify(response));
  await db.update(idempotencyKeys).set({ state: "done", response: sealed }).where(heldBy(id, claim));
}

/** Gives the key back, so a retry runs the request again. */
export async function releaseKey(db: Db, id: KeyOf, claim: string) {
  await db.delete(idempotencyKeys).where(heldBy(id, claim));
}

/** Deletes up to `limit` keys older than the window; answers how many. */
export async function purgeExpiredKeys(db: Db, now: number, limit: number): Promise<number> {
  const expired = db
    .select({ scope: idempotencyKeys.scope, key: idempotencyKeys.key })
    .from(idempotencyKeys)
    .where(lte(idempotencyKeys.createdAt, now - IDEMPOTENCY_TTL_MS))
    .limit(limit);
  const deleted = await db
    .delete(idempotencyKeys)
    .where(inArray(sql`(${idempotencyKeys.scope}, ${idempotencyKeys.key})`, expired))
    .returning({ key: idempotencyKeys.key });
  return deleted.length;
}

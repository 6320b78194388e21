/**
 * The messages list and both attempt logs page on (created_at, id): many rows written in the same
 * millisecond all appear, each once, when "Load more" walks the pages; a cursor that is not one
 * of ours is a 400 naming `cursor`.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { encodePageCursor } from "../../../shared/webhooks";
import { type OrgFixture, orgFixture } from "../../test/fixtures";
import { type CallResult, call, errorCode } from "../../test/http";
import { scriptedReceiver } from "../../test/webhook-receiver";
import { newId } from "../crypto/random";
import { createDb } from "../db/client";
import { webhookAttempts, webhookDeliveries, webhookEvents } from "../db/schema";

const db = createDb(env.DB);
const AT = Date.now() - 60_000;
const SAME_MS = 23;
const MESSAGE_ATTEMPTS = 11;

let fx: OrgFixture;
let base: string;
let endpointId: string;
let eventIds: string[];
let endpointAttemptIds: string[];
let busyEventId: string;
let busyAttemptIds: string[];

/** An event with one delivery to the endpoint and `attempts` attempts of it, all at `at`. */
async function eventWithAttempts(at: number, attempts: number) {
  const eventId = newId("webhookEvent");
  const deliveryId = newId("webhookDelivery");
  const attemptIds = Array.from({ length: attempts }, () => newId("webhookAttempt"));
  await db.batch([
    db.insert(webhookEvents).values({
      id: eventId,
      orgId: fx.orgId,
      type: "webhook.test",
      payload: JSON.stringify({ type: "webhook.test", timestamp: new Date(at).toISOString(), data: { endpointId, message: "paging" } }),
      createdAt: at,
      dispatchedAt: at,
    }),
    db
      .insert(webhookDeliveries)
      .values({ id: deliveryId, eventId, endpointId, orgId: fx.orgId, status: "failed", attempts, createdAt: at, updatedAt: at }),
    ...attemptIds.map((id, i) =>
      db.insert(webhookAttempts).values({
        id,
        deliveryId,
        eventId,
        endpointId,
        orgId: fx.orgId,
        attempt: i + 1,
        statusCode: 500,
        latencyMs: 3,
        response: "no",
        error: null,
        createdAt: at,
      }),
    ),
  ]);
  return { eventId, attemptIds };
}

beforeAll(async () => {
  fx = await orgFixture();
  base = `/v1/orgs/${fx.orgId}/webhooks`;
  const created = await call("POST", `${base}/endpoints`, {
    token: fx.owner.accessToken,
    body: { url: scriptedReceiver(`paging-${Date.now().toString(36)}`, [200]).url },
  });
  expect(created.status).toBe(201);
  endpointId = created.body.id;
  // A row on either side of the crowded millisecond, to see the order across it.
  const rows = [await eventWithAttempts(AT + 1, 1)];
  for (let i = 0; i < SAME_MS; i++) rows.push(await eventWithAttempts(AT, 1));
  const busy = await eventWithAttempts(AT, MESSAGE_ATTEMPTS);
  rows.push(busy, await eventWithAttempts(AT - 1, 1));
  eventIds = rows.map((r) => r.eventId);
  endpointAttemptIds = rows.flatMap((r) => r.attemptIds);
  busyEventId = busy.eventId;
  busyAttemptIds = busy.attemptIds;
});

/** Follows `nextCursor` from the first page to the last; every row of every page, in order. */
async function walk(path: string, limit: number) {
  const rows: { id: string; createdAt: number }[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const res: CallResult<{ data: { id: string; createdAt: number }[]; nextCursor: string | null }> = await call(
      "GET",
      `${path}?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      { token: fx.admin.accessToken },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.length).toBeLessThanOrEqual(limit);
    rows.push(...res.body.data);
    cursor = res.body.nextCursor;
    if (cursor === null) return rows;
  }
  throw new Error(`${path} did not end`);
}

/** Newest first, and among rows of one millisecond by id, descending. */
const inListOrder = (rows: { id: string; createdAt: number }[]) =>
  [...rows].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));

describe("keyset pages over rows of the same millisecond", () => {
  it("the messages list shows every message exactly once, newest first", async () => {
    const rows = await walk(`${base}/messages`, 5);
    expect(rows.map((r) => r.id).sort()).toEqual([...eventIds].sort());
    expect(rows).toEqual(inListOrder(rows));
    expect(rows.filter((r) => r.createdAt === AT)).toHaveLength(SAME_MS + 1);
  });

  it("the endpoint's attempt log shows every attempt exactly once, newest first", async () => {
    const rows = await walk(`${base}/endpoints/${endpointId}/attempts`, 4);
    expect(rows.map((r) => r.id).sort()).toEqual([...endpointAttemptIds].sort());
    expect(rows).toEqual(inListOrder(rows));
  });

  it("one message's attempts show each attempt exactly once", async () => {
    const rows = await walk(`${base}/messages/${busyEventId}/attempts`, 3);
    expect(rows.map((r) => r.id).sort()).toEqual([...busyAttemptIds].sort());
  });

  it("a page exactly as long as what is left ends the list (no empty last page)", async () => {
    const res = await call("GET", `${base}/messages/${busyEventId}/attempts?limit=${MESSAGE_ATTEMPTS}`, { token: fx.admin.accessToken });
    expect([res.body.data.length, res.body.nextCursor]).toEqual([MESSAGE_ATTEMPTS, null]);
  });
});

describe("a cursor that is not one of ours", () => {
  const b64url = (text: string) => btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  const bad = [
    "not a cursor",
    "%%%",
    b64url("yesterday"),
    b64url(`${AT}:`),
    b64url(`:${newId("webhookEvent")}`),
    b64url(`-5:${newId("webhookEvent")}`),
    b64url(`${AT}:evt_x'; DROP TABLE`),
    "A".repeat(300),
  ];

  it("is a 400 invalid_request naming cursor, on all three lists", async () => {
    for (const path of [`${base}/messages`, `${base}/endpoints/${endpointId}/attempts`, `${base}/messages/${busyEventId}/attempts`]) {
      for (const cursor of bad) {
        const res = await call("GET", `${path}?cursor=${encodeURIComponent(cursor)}`, { token: fx.admin.accessToken });
        expect([res.status, errorCode(res)], `${path} ${cursor}`).toEqual([400, "invalid_request"]);
        expect(Object.keys(res.body.error.fields)).toEqual(["query.cursor"]);
      }
    }
  });

  it("a well-formed cursor is accepted and pages from just after its position", async () => {
    const ok = await call("GET", `${base}/messages?cursor=${encodeURIComponent(encodePageCursor({ createdAt: AT, id: eventIds[5]! }))}`, {
      token: fx.admin.accessToken,
    });
    expect(ok.status).toBe(200);
    expect(
      ok.body.data.every((m: { createdAt: number; id: string }) => m.createdAt < AT || (m.createdAt === AT && m.id < eventIds[5]!)),
    ).toBe(true);
  });
});

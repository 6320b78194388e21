/**
 * The rollups against a from-scratch recomputation: a random sequence of sales, refunds (some of
 * them failing), subscription renewals and downloads over several days is written with the source
 * domains' own statements and announcements, as their services batch them (downloads' through the
 * tally job, which announces them once a tick); afterwards every bucket
 * equals what TypeScript computes from the raw ledger, order and download rows, and the backfill
 * rebuilds exactly the same buckets.
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, expect, it } from "vitest";
import { insertItem } from "../../test/catalog-fixtures";
import { testContext } from "../../test/context";
import { createOrg, createUser } from "../../test/fixtures";
import { jobContext } from "../../test/jobs";
import type { Ctx } from "../context";
import { newId } from "../crypto/random";
import { utcDay } from "../db/rollups";
import { downloads } from "../db/schema";
import { nextDownloadSeq, tallyDownloads } from "../downloads/tally";
import { failedRefundEntries, refundEntries } from "../ledger";
import { saleStatements } from "../orders";
import { rebuildRollups } from "./rollups";

const DAY = 86_400_000;
const DAYS = 4;

let orgId: string;
let ctx: Ctx;
beforeAll(async () => {
  const owner = await createUser("rollup-owner");
  orgId = (await createOrg(owner)).id;
  ctx = testContext();
});

type Action =
  | { kind: "sale" | "renewal"; item: number; amount: number; day: number; ms: number }
  | { kind: "refund"; sale: number; share: number; failed: boolean; day: number; ms: number }
  | { kind: "download"; item: number; counted: boolean; day: number; ms: number };

const when = { day: fc.integer({ min: 0, max: DAYS - 1 }), ms: fc.integer({ min: 0, max: DAY - 1 }) };
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constantFrom("sale" as const, "renewal" as const),
    item: fc.nat(1),
    amount: fc.integer({ min: 100, max: 10_000 }),
    ...when,
  }),
  fc.record({
    kind: fc.constant("refund" as const),
    sale: fc.nat(),
    share: fc.integer({ min: 1, max: 100 }),
    failed: fc.boolean(),
    ...when,
  }),
  fc.record({ kind: fc.constant("download" as const), item: fc.nat(1), counted: fc.boolean(), ...when }),
);

const run = (statements: unknown[]) => (statements.length ? ctx.db.batch(statements as [never, ...never[]]) : Promise.resolve());

/** Writes one action as its domain's service does: the source rows, then what the announcement adds, in one batch. */
async function apply(a: Action, items: string[], sales: { orderId: string; itemId: string; amount: number; fee: number }[], start: number) {
  const now = start + a.day * DAY + a.ms;
  if (a.kind === "download") {
    const itemId = items[a.item]!;
    const row = {
      id: newId("download"),
      orgId,
      itemId,
      versionId: "ver_none",
      userId: "usr_rollupbuyer",
      entitlementId: "ent_none",
      tokenId: "dlt_none",
      rangeStart: a.counted ? 0 : 100,
      bytes: 10,
      counted: a.counted,
      createdAt: now,
    };
    // As the download's batch writes it; its rollup comes from the tally job (`downloads.counted`).
    await run([ctx.db.insert(downloads).values({ ...row, seq: nextDownloadSeq })]);
  } else if (a.kind === "refund") {
    const sale = sales[a.sale % Math.max(sales.length, 1)];
    if (!sale) return;
    const amount = Math.max(1, Math.floor((sale.amount * a.share) / 100));
    const booking = {
      refundId: newId("refund"),
      orderId: sale.orderId,
      orgId,
      amount,
      feeRefund: Math.round((sale.fee * amount) / sale.amount),
      currency: "usd",
    };
    const entries = a.failed ? await failedRefundEntries(ctx.db, booking, now) : await refundEntries(ctx.db, booking, now);
    await run([...entries, ...(await ctx.events.emit("order.refunds_booked", { orgId, itemId: sale.itemId, now }))]);
  } else {
    const itemId = items[a.item]!;
    const fee = Math.round(a.amount / 10);
    const sale = await saleStatements(ctx, {
      sourceId: newId("checkout"),
      kind: a.kind === "sale" ? "purchase" : "subscription",
      metadata: { plaza_checkout_id: newId("checkout"), plaza_item_id: itemId, plaza_org_id: orgId, plaza_email: "buyer@example.test" },
      userId: "usr_rollupbuyer",
      amount: a.amount,
      fee,
      currency: "usd",
      priceId: null,
      paymentIntentId: null,
      subscriptionId: null,
      now,
    });
    await run(sale.statements);
    sales.push({ orderId: sale.orderId, itemId, amount: a.amount, fee });
  }
}

type Buckets = Record<string, { gross_sales: number; net_sales: number; fees: number; refunds: number; downloads: number }>;
const zero = () => ({ gross_sales: 0, net_sales: 0, fees: 0, refunds: 0, downloads: 0 });

/** The same numbers computed in TypeScript from the raw rows: the org's ledger entries by their order's item, and the counted downloads. */
async function recomputed(items: string[]): Promise<Buckets> {
  const marks = items.map(() => "?").join(", ");
  const { results: entries } = await env.DB.prepare(
    `SELECT l.type, l.amount, l.created_at, oi.item_id FROM ledger_entries l JOIN order_items oi ON oi.order_id = l.order_id
     WHERE l.account = ? AND oi.item_id IN (${marks})`,
  )
    .bind(orgId, ...items)
    .all<{ type: string; amount: number; created_at: number; item_id: string }>();
  const { results: rows } = await env.DB.prepare(`SELECT item_id, created_at, counted FROM downloads WHERE item_id IN (${marks})`)
    .bind(...items)
    .all<{ item_id: string; created_at: number; counted: number }>();
  const buckets: Buckets = {};
  const bucket = (itemId: string, at: number) => {
    const key = `${itemId} ${utcDay(at)}`;
    buckets[key] ??= zero();
    return buckets[key];
  };
  for (const e of entries) {
    if (e.type === "tax" || e.type === "payout") continue;
    const b = bucket(e.item_id, e.created_at);
    b.net_sales += e.amount;
    if (e.type === "sale") b.gross_sales += e.amount;
    if (e.type === "refund") b.refunds -= e.amount;
    if (e.type === "platform_fee" || e.type === "fee_refund") b.fees -= e.amount;
  }
  for (const d of rows) if (d.counted) bucket(d.item_id, d.created_at).downloads += 1;
  return Object.fromEntries(Object.entries(buckets).filter(([, counters]) => Object.values(counters).some((n) => n !== 0)));
}

/** The rollups of the items, without buckets that count nothing of these families. */
async function rollups(items: string[]): Promise<Buckets> {
  const marks = items.map(() => "?").join(", ");
  const { results } = await env.DB.prepare(
    `SELECT item_id, day, gross_sales, net_sales, fees, refunds, downloads FROM analytics_daily WHERE org_id = ? AND item_id IN (${marks})`,
  )
    .bind(orgId, ...items)
    .all<{ item_id: string; day: string } & ReturnType<typeof zero>>();
  const buckets: Buckets = {};
  for (const { item_id, day, ...counters } of results)
    if (Object.values(counters).some((n) => n !== 0)) buckets[`${item_id} ${day}`] = counters;
  return buckets;
}

it("after any sequence of sales, refunds, renewals and downloads the rollups equal a recomputation from the raw rows, and the backfill's", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 12 }), async (actions) => {
      const items = [(await insertItem(orgId)).id, (await insertItem(orgId)).id];
      const start = Date.parse(`${utcDay(Date.now() - DAYS * DAY)}T00:00:00Z`);
      const sales: Parameters<typeof apply>[2] = [];
      for (const a of actions) await apply(a, items, sales, start);
      await tallyDownloads(jobContext(env as never, Date.now()));
      const expected = await recomputed(items);
      expect(await rollups(items)).toEqual(expected);
      await rebuildRollups(ctx.db, Date.now());
      expect(await rollups(items)).toEqual(expected);
    }),
    { numRuns: 25 },
  );
});

// 90 days of demo history for `npm start`, so the Analytics charts have something to show on first
// start: page views, checkouts, sales, subscriptions with renewals and churn, licenses, downloads,
// a few refunds and one lost dispute across the demo org's items, with a weekly rhythm and growth.
// Written as the app writes them (orders + order items + ledger entries + entitlements + licenses,
// subscriptions and their invoices' orders, raw page views for the last 35 days and older days'
// counts as the purge leaves them), then `runAnalyticsBackfill` has the analytics backfill job
// build the rollups from those rows through the operator API.
//
// Deterministic (fixed PRNG seed, ids numbered `…_demohist…`): a second run generates the same ids,
// and every insert ignores a conflict, so it adds nothing.
import { createHash } from "node:crypto";
import { mulberry32 } from "../bench/lib/prng.mjs";
import { oneTimeFee, percentFee } from "../shared/fees.ts";
import { apiRequest as request } from "./lib/api-request.mjs";

export const HISTORY_DAYS = 90;
const DAY_MS = 86_400_000;
/** wrangler.toml's PLATFORM_FEE_BPS / PLATFORM_FEE_FIXED, which `npm start` runs with. */
const PLATFORM_FEE = { bps: 1000, fixed: 30 };
/** Raw page views are kept this many days (worker/src/analytics/page-views.ts); older days keep only their count. */
const RAW_PAGE_VIEW_DAYS = 35;
/** Stripe's dispute fee, in cents. */
const DISPUTE_FEE = 1500;
const ROWS_PER_INSERT = 200;

/** Views a weekday brings, Sunday first: the week's rhythm. */
const WEEKDAY = [0.55, 1, 1.1, 1.05, 1, 0.9, 0.6];

/** Per demo item: page views a day at the start (growth lifts it about 2.3× over the 90 days), and what views lead to. */
const TRAFFIC = {
  "markdown-studio": { views: 48, downloadsPerView: 0.3 },
  "midnight-theme": { views: 62, downloadsPerView: 0.28 },
  "ai-autocomplete": { views: 34, checkoutsPerView: 0.07, completed: 0.62, downloadsPerView: 0.05 },
  "team-analytics": { views: 22, checkoutsPerView: 0.06, completed: 0.58, downloadsPerView: 0.04, churnPerMonth: 0.12 },
};

/** A numbered id in the shape the Worker's ids have (prefix + 16-32 letters and digits). */
const historyId = (prefix, n) => `${prefix}_demohist${String(n).padStart(8, "0")}`;
const utcDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/**
 * The history as rows per table, generated in time order. `items` are the demo items (slug, pricing).
 * Item and org ids are not known here (the catalog seed made them): rows name their item by slug.
 */
export function generateHistory(now, items) {
  const random = mulberry32(20261203);
  const noise = (spread = 0.3) => 1 - spread / 2 + random() * spread;
  const counters = {};
  const next = (prefix) => {
    counters[prefix] = (counters[prefix] ?? 0) + 1;
    return historyId(prefix, counters[prefix]);
  };
  const rows = {
    users: [],
    checkouts: [],
    orders: [],
    orderItems: [],
    ledger: [],
    refunds: [],
    entitlements: [],
    licenses: [],
    subscriptions: [],
    downloads: [],
    disputes: [],
    pageViews: [],
    dailyPageViews: [],
  };
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const firstRawDay = utcDay(now - RAW_PAGE_VIEW_DAYS * DAY_MS);
  const pricingOf = new Map(items.map((item) => [item.slug, item.pricing]));
  /** People who got a free item, reused for its downloads. */
  const freeHolders = new Map();

  const buyer = (at) => {
    const id = next("usr");
    const n = id.slice(-4);
    rows.users.push({ id, email: `history-buyer-${n}@example.com`, name: `History buyer ${Number(n)}`, createdAt: at });
    return id;
  };
  const sale = ({ slug, userId, email, at, amount, fee, kind, subscriptionId = null, checkoutId = null }) => {
    const orderId = next("ord");
    rows.orders.push({ id: orderId, slug, kind, userId, email, amount, fee, subscriptionId, checkoutId, at, status: "paid", refunded: 0 });
    rows.orderItems.push({ orderId, slug, amount });
    const reference = `sale:${orderId}`;
    rows.ledger.push(
      { id: next("led"), account: "org", type: "sale", amount, orderId, reference, at },
      { id: next("led"), account: "org", type: "platform_fee", amount: -fee, orderId, reference, at },
      { id: next("led"), account: "platform", type: "platform_fee", amount: fee, orderId, reference, at },
    );
    return rows.orders.at(-1);
  };
  const license = ({ slug, userId, entitlementId, orderId = null, subscriptionId = null, at, expiresAt = null }) => {
    const id = next("lic");
    const keyHash = createHash("sha256").update(`demo-history-license:${id}`).digest("hex");
    const row = { id, slug, userId, entitlementId, orderId, subscriptionId, keyHash, lastGroup: keyHash.slice(0, 5).toUpperCase(), at };
    rows.licenses.push({ ...row, status: "active", expiresAt, endedAt: null });
    return rows.licenses.at(-1);
  };
  const entitlement = ({ slug, userId, source, reference, at, expiresAt = null }) => {
    rows.entitlements.push({ id: next("ent"), slug, userId, source, reference, at, expiresAt, status: "active", revokedAt: null });
    return rows.entitlements.at(-1);
  };
  const revoke = (ent, lic, at, status = "revoked") => {
    Object.assign(ent, { status, revokedAt: at });
    if (lic) Object.assign(lic, { status, endedAt: at });
  };
  const download = ({ slug, userId, entitlementId, at }) =>
    rows.downloads.push({ id: next("dl"), slug, userId, entitlementId, tokenId: next("dlt"), at });

  const purchases = [];
  for (let daysAgo = HISTORY_DAYS - 1; daysAgo >= 1; daysAgo--) {
    const dayStart = today - daysAgo * DAY_MS;
    const day = utcDay(dayStart);
    const growth = 0.6 + (0.8 * (HISTORY_DAYS - 1 - daysAgo)) / (HISTORY_DAYS - 2);
    const rhythm = WEEKDAY[new Date(dayStart).getUTCDay()] * growth;
    /** A time in the day's busy hours (08:00-22:00 UTC). */
    const during = () => dayStart + Math.floor((8 + random() * 14) * 3_600_000);

    for (const [slug, traffic] of Object.entries(TRAFFIC)) {
      const pricing = pricingOf.get(slug);
      const views = Math.round(traffic.views * rhythm * noise());
      if (day >= firstRawDay) {
        for (let i = 0; i < views; i++) rows.pageViews.push({ id: next("pv"), slug, day });
      } else {
        rows.dailyPageViews.push({ slug, day, views });
      }

      if (pricing.model === "free") {
        if (!freeHolders.has(slug)) freeHolders.set(slug, []);
        const holders = freeHolders.get(slug);
        for (let i = Math.round(views * traffic.downloadsPerView * noise()); i > 0; i--) {
          const at = during();
          // A newcomer gets the item (a free entitlement) and downloads it; half are people downloading again.
          let holder = holders.length > 0 && random() < 0.5 ? holders[Math.floor(random() * holders.length)] : undefined;
          if (!holder) {
            const userId = buyer(at);
            holder = { userId, entitlementId: entitlement({ slug, userId, source: "free", reference: null, at }).id };
            holders.push(holder);
          }
          download({ slug, ...holder, at: at + 60_000 });
        }
        continue;
      }

      const started = Math.round(views * traffic.checkoutsPerView * noise(0.8));
      for (let i = 0; i < started; i++) {
        const at = during();
        const completed = random() < traffic.completed;
        const checkoutId = next("chk");
        const userId = completed ? buyer(at) : null;
        const email = userId ? rows.users.at(-1).email : null;
        const fee =
          pricing.model === "one_time" ? oneTimeFee(PLATFORM_FEE, pricing.amount) : percentFee(pricing.amount, PLATFORM_FEE.bps / 100);
        rows.checkouts.push({
          id: checkoutId,
          slug,
          userId,
          email,
          mode: pricing.model === "one_time" ? "payment" : "subscription",
          amount: pricing.amount,
          fee,
          status: completed ? "complete" : "expired",
          at,
          completedAt: completed ? at + 90_000 : null,
        });
        if (!completed) continue;
        const paidAt = at + 90_000;
        if (pricing.model === "one_time") {
          const order = sale({ slug, userId, email, at: paidAt, amount: pricing.amount, fee, kind: "purchase", checkoutId });
          const ent = entitlement({ slug, userId, source: "purchase", reference: order.id, at: paidAt });
          const lic = license({ slug, userId, entitlementId: ent.id, orderId: order.id, at: paidAt });
          purchases.push({ order, ent, lic });
          if (random() < traffic.downloadsPerView * 12) download({ slug, userId, entitlementId: ent.id, at: paidAt + 300_000 });
          continue;
        }
        // A subscription: an invoice (order) every 30 days while it lasts; some cancel at a renewal.
        const subscriptionId = next("psub");
        const ent = entitlement({ slug, userId, source: "subscription", reference: subscriptionId, at: paidAt });
        const lic = license({ slug, userId, entitlementId: ent.id, subscriptionId, at: paidAt });
        const sub = { id: subscriptionId, slug, userId, amount: pricing.amount, at: paidAt, status: "active", updatedAt: paidAt };
        rows.subscriptions.push(sub);
        let periodStart = paidAt;
        for (;;) {
          sale({ slug, userId, email, at: periodStart, amount: pricing.amount, fee, kind: "subscription", subscriptionId, checkoutId });
          const periodEnd = periodStart + 30 * DAY_MS;
          if (periodEnd > now) {
            Object.assign(sub, { periodStart, periodEnd });
            Object.assign(ent, { expiresAt: periodEnd + DAY_MS });
            Object.assign(lic, { expiresAt: periodEnd + DAY_MS });
            break;
          }
          if (random() < traffic.churnPerMonth) {
            Object.assign(sub, { status: "canceled", periodStart, periodEnd, updatedAt: periodEnd });
            revoke(ent, lic, periodEnd);
            break;
          }
          periodStart = periodEnd;
        }
      }
    }
  }

  // A few refunds (about one purchase in 25, a few days after it) and one lost dispute.
  for (const [index, { order, ent, lic }] of purchases.entries()) {
    const refundAt = order.at + Math.floor((1 + random() * 4) * DAY_MS);
    const disputed = index === Math.floor(purchases.length / 3);
    if (disputed) {
      const openedAt = order.at + 9 * DAY_MS;
      const closedAt = openedAt + 18 * DAY_MS;
      const lost = closedAt < now;
      rows.disputes.push({
        id: historyId("du", 1),
        orderId: order.id,
        slug: order.slug,
        amount: order.amount,
        status: lost ? "lost" : "needs_response",
        at: openedAt,
        updatedAt: lost ? closedAt : openedAt,
      });
      const reference = `dispute:${historyId("txn", 1)}`;
      rows.ledger.push(
        { id: next("led"), account: "org", type: "dispute", amount: -order.amount, orderId: order.id, reference, at: openedAt },
        { id: next("led"), account: "org", type: "dispute_fee", amount: -DISPUTE_FEE, orderId: order.id, reference, at: openedAt },
      );
      revoke(ent, lic, openedAt, "disputed");
      if (lost) revoke(ent, lic, closedAt);
    } else if (random() < 0.04 && refundAt < now) {
      const refundId = next("rfd");
      rows.refunds.push({ id: refundId, orderId: order.id, amount: order.amount, at: refundAt });
      Object.assign(order, { status: "refunded", refunded: order.amount });
      const reference = `refund:${historyId("re", Number(refundId.slice(-8)))}`;
      rows.ledger.push(
        { id: next("led"), account: "org", type: "refund", amount: -order.amount, orderId: order.id, reference, at: refundAt },
        { id: next("led"), account: "org", type: "fee_refund", amount: order.fee, orderId: order.id, reference, at: refundAt },
        { id: next("led"), account: "platform", type: "fee_refund", amount: -order.fee, orderId: order.id, reference, at: refundAt },
      );
      revoke(ent, lic, refundAt);
    }
  }
  return rows;
}

/**
 * `INSERT … SELECT` over literal rows joined to their item by slug (`i`, which also gives the org),
 * in chunks. `columns` maps each column to SQL in which `$field` is the row's field.
 */
function insertForItems(table, columns, rows, sqlValue) {
  const fields = [...new Set(Object.values(columns).flatMap((expr) => [...expr.matchAll(/\$(\w+)/g)].map((m) => m[1]))), "slug"];
  const select = Object.values(columns).map((expr) => expr.replace(/\$(\w+)/g, (_, f) => `v.column${fields.indexOf(f) + 1}`));
  const statements = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const values = rows.slice(i, i + ROWS_PER_INSERT).map((row) => `(${fields.map((f) => sqlValue(row[f])).join(", ")})`);
    statements.push(
      `INSERT INTO ${table} (${Object.keys(columns).join(", ")})
       SELECT ${select.join(", ")} FROM (VALUES ${values.join(",\n")}) v JOIN items i ON i.slug = v.column${fields.length}
       WHERE true ON CONFLICT DO NOTHING;`,
    );
  }
  return statements;
}

/** The history's SQL for the org owning the demo items (the catalog seed's rows must come first). */
export function analyticsHistoryStatements(now, { sqlValue, items }) {
  const h = generateHistory(now, items);
  const latestVersion = (column) => `(SELECT ${column} FROM versions WHERE versions.item_id = i.id ORDER BY created_at DESC LIMIT 1)`;
  const slugOfOrder = new Map(h.orders.map((o) => [o.id, o.slug]));
  const ofOrder = (row) => ({ ...row, slug: slugOfOrder.get(row.orderId) });
  const users = [];
  for (let i = 0; i < h.users.length; i += ROWS_PER_INSERT) {
    // Guests, as a checkout makes them: no password ("!", which nothing verifies against).
    const values = h.users
      .slice(i, i + ROWS_PER_INSERT)
      .map((u) => `(${[u.id, u.email, u.name, "!", u.createdAt].map(sqlValue).join(", ")})`);
    users.push(`INSERT INTO users (id, email, name, password_hash, created_at) VALUES ${values.join(",\n")} ON CONFLICT DO NOTHING;`);
  }
  return [
    ...users,
    ...insertForItems(
      "checkouts",
      {
        id: "$id",
        session_id: "'cs_' || $id",
        org_id: "i.org_id",
        item_id: "i.id",
        user_id: "$userId",
        email: "$email",
        mode: "$mode",
        price_id: "'price_demo_history'",
        amount: "$amount",
        currency: "'usd'",
        fee_amount: "$fee",
        status: "$status",
        created_at: "$at",
        completed_at: "$completedAt",
      },
      h.checkouts,
      sqlValue,
    ),
    ...insertForItems(
      "orders",
      {
        id: "$id",
        source_id: "'demo_history:' || $id",
        kind: "$kind",
        org_id: "i.org_id",
        user_id: "$userId",
        email: "$email",
        status: "$status",
        amount: "$amount",
        fee_amount: "$fee",
        amount_refunded: "$refunded",
        currency: "'usd'",
        subscription_id: "$subscriptionId",
        checkout_id: "$checkoutId",
        created_at: "$at",
      },
      h.orders,
      sqlValue,
    ),
    ...insertForItems(
      "order_items",
      { order_id: "$orderId", item_id: "i.id", org_id: "i.org_id", quantity: "1", amount: "$amount" },
      h.orderItems,
      sqlValue,
    ),
    ...insertForItems(
      "ledger_entries",
      {
        id: "$id",
        account: "CASE $account WHEN 'platform' THEN 'platform' ELSE i.org_id END",
        type: "$type",
        amount: "$amount",
        currency: "'usd'",
        order_id: "$orderId",
        reference: "$reference",
        created_at: "$at",
      },
      h.ledger.map(ofOrder),
      sqlValue,
    ),
    ...insertForItems(
      "refunds",
      {
        id: "$id",
        org_id: "i.org_id",
        order_id: "$orderId",
        amount: "$amount",
        currency: "'usd'",
        reason: "'requested_by_customer'",
        stripe_refund_id: "'re_' || $id",
        status: "'succeeded'",
        requested_by: "'demo-history'",
        request_hash: "$id",
        created_at: "$at",
        updated_at: "$at",
      },
      h.refunds.map(ofOrder),
      sqlValue,
    ),
    ...insertForItems(
      "entitlements",
      {
        id: "$id",
        item_id: "i.id",
        user_id: "$userId",
        source: "$source",
        status: "$status",
        reference: "$reference",
        expires_at: "$expiresAt",
        created_at: "$at",
        revoked_at: "$revokedAt",
      },
      h.entitlements,
      sqlValue,
    ),
    ...insertForItems(
      "licenses",
      {
        id: "$id",
        org_id: "i.org_id",
        item_id: "i.id",
        user_id: "$userId",
        entitlement_id: "$entitlementId",
        order_id: "$orderId",
        subscription_id: "$subscriptionId",
        key_hash: "$keyHash",
        key_prefix: "'DEMO'",
        last_group: "$lastGroup",
        status: "$status",
        expires_at: "$expiresAt",
        max_activations: "3",
        created_at: "$at",
        updated_at: "coalesce($endedAt, $at)",
        revoked_at: "CASE WHEN $status = 'revoked' THEN $endedAt END",
      },
      h.licenses,
      sqlValue,
    ),
    ...insertForItems(
      "subscriptions",
      {
        id: "$id",
        stripe_subscription_id: "'sub_' || $id",
        org_id: "i.org_id",
        item_id: "i.id",
        user_id: "$userId",
        customer_id: "'cus_' || $userId",
        status: "$status",
        current_period_start: "$periodStart",
        current_period_end: "$periodEnd",
        cancel_at_period_end: "0",
        price_id: "'price_demo_history'",
        interval: "'month'",
        amount: "$amount",
        currency: "'usd'",
        created_at: "$at",
        updated_at: "$updatedAt",
      },
      h.subscriptions,
      sqlValue,
    ),
    ...insertForItems(
      "downloads",
      {
        id: "$id",
        org_id: "i.org_id",
        item_id: "i.id",
        version_id: latestVersion("id"),
        user_id: "$userId",
        entitlement_id: "$entitlementId",
        token_id: "$tokenId",
        range_start: "0",
        bytes: latestVersion("bundle_size"),
        counted: "1",
        created_at: "$at",
      },
      h.downloads,
      sqlValue,
    ),
    ...insertForItems(
      "disputes",
      {
        id: "$id",
        org_id: "i.org_id",
        order_id: "$orderId",
        item_id: "i.id",
        amount: "$amount",
        currency: "'usd'",
        reason: "'fraudulent'",
        status: "$status",
        livemode: "0",
        created_at: "$at",
        updated_at: "$updatedAt",
      },
      h.disputes,
      sqlValue,
    ),
    ...insertForItems("page_views", { day: "$day", id: "$id", org_id: "i.org_id", item_id: "i.id" }, h.pageViews, sqlValue),
    // Days past the raw views' 35 days, as the purge leaves them: only the count.
    ...insertForItems(
      "analytics_daily",
      { org_id: "i.org_id", item_id: "i.id", day: "$day", page_views: "$views", updated_at: String(now) },
      h.dailyPageViews,
      sqlValue,
    ),
  ];
}

/**
 * Has the analytics backfill job rebuild every rollup from the rows above (and what the API seeded),
 * through the operator console's "run now", as an operator would after an import.
 * @returns {Promise<{ processed: number }>}
 */
export async function runAnalyticsBackfill({ apiUrl, operatorEmail, password }) {
  const { accessToken } = await request(apiUrl, "POST", "/v1/auth/login", { body: { email: operatorEmail, password } });
  const run = await request(apiUrl, "POST", "/v1/operator/jobs/analytics-backfill/run", { token: accessToken });
  if (run.status !== "succeeded") throw new Error(`the analytics backfill ${run.status}: ${run.error ?? "no error given"}`);
  return { processed: run.processed };
}

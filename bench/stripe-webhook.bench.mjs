// Stripe webhook ingest: req/s of POST /v1/stripe/webhooks with correctly signed, distinct events
// against the signature check alone (POST /__bench/stripe-verify) in the same Worker; then the
// stripe_events rows recorded against the requests answered 200.
import { createHmac, randomBytes } from "node:crypto";
import { compareAlternating } from "./lib/compare.mjs";
import { LOAD_SETTINGS, measureThroughput } from "./lib/load.mjs";
import { assertBareRouteServedByWorker } from "./lib/plaza-api.mjs";
import { fmt, ratioAgainstGoal, THROUGHPUT_HEADER, table, throughputRow } from "./lib/print.mjs";

export const description =
  "signed Stripe event POST /v1/stripe/webhooks vs constructEventAsync alone (req/s ratio, goal ≥ 0.3); stripe_events rows vs 200s";

const RATIO_GOAL = 0.3;
const ROUNDS = 2;
/** Stripe's (and the route's) signature tolerance; a pool is signed right before each run. */
const TOLERANCE_S = 300;
/** Events signed ahead of the first run of each route; later runs sign 1.25× what the last one used. */
const FIRST_POOL = 10_000;
/** How long to wait for the queue consumer to catch up with an ingest turn before the next run. */
const DRAIN_TIMEOUT_MS = 120_000;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const stripeId = (prefix, n = 24) => `${prefix}_${Array.from(randomBytes(n), (b) => BASE62[b % 62]).join("")}`;

/**
 * A `checkout.session.completed` for a one-time card payment, shaped like Stripe's (API version
 * of the bundled SDK, as emulators/stripe sends it) with the fields a real session carries. Its
 * metadata has no `plaza_*` keys, so the Stripe event consumer records it as `ignored` after one
 * read and one update, without calling Stripe.
 */
function checkoutSessionCompleted(now) {
  const session = stripeId("cs_test", 58);
  const customer = stripeId("cus", 14);
  const amount = 1900 + (now % 7) * 500;
  return {
    id: stripeId("evt"),
    object: "event",
    api_version: "2026-10-28.endive",
    created: now,
    data: {
      object: {
        id: session,
        object: "checkout.session",
        adaptive_pricing: { enabled: false },
        after_expiration: null,
        allow_promotion_codes: null,
        amount_subtotal: amount,
        amount_total: amount,
        automatic_tax: { enabled: false, liability: null, provider: null, status: null },
        billing_address_collection: null,
        cancel_url: "https://plaza.example/items/markdown-preview-pro",
        client_reference_id: null,
        client_secret: null,
        collected_information: { shipping_details: null },
        consent: null,
        consent_collection: null,
        created: now - 95,
        currency: "usd",
        currency_conversion: null,
        custom_fields: [],
        custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
        customer,
        customer_creation: null,
        customer_details: {
          address: { city: null, country: "DE", line1: null, line2: null, postal_code: "10115", state: null },
          email: "buyer@example.com",
          name: "Ada Buyer",
          phone: null,
          tax_exempt: "none",
          tax_ids: [],
        },
        customer_email: null,
        discounts: [],
        expires_at: now - 95 + 86_400,
        invoice: null,
        invoice_creation: {
          enabled: false,
          invoice_data: {
            account_tax_ids: null,
            custom_fields: null,
            description: null,
            footer: null,
            issuer: null,
            metadata: {},
            rendering_options: null,
          },
        },
        livemode: false,
        locale: null,
        metadata: { source: "bench", campaign: "spring" },
        mode: "payment",
        origin_context: null,
        payment_intent: stripeId("pi"),
        payment_link: null,
        payment_method_collection: "if_required",
        payment_method_configuration_details: null,
        payment_method_options: { card: { request_three_d_secure: "automatic" } },
        payment_method_types: ["card"],
        payment_status: "paid",
        permissions: null,
        phone_number_collection: { enabled: false },
        presentment_details: { presentment_amount: amount, presentment_currency: "usd" },
        recovered_from: null,
        saved_payment_method_options: null,
        setup_intent: null,
        shipping_address_collection: null,
        shipping_cost: null,
        shipping_options: [],
        status: "complete",
        submit_type: null,
        subscription: null,
        success_url: "https://plaza.example/checkout/success?session_id={CHECKOUT_SESSION_ID}",
        total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
        ui_mode: "hosted",
        url: null,
        wallet_options: null,
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: "checkout.session.completed",
  };
}

/** Stripe's pretty-printed payload and its `t=…,v1=<HMAC-SHA256 of "t.payload">` header, keyed by the secret as given. */
function signedEvent(secret, now) {
  const payload = JSON.stringify(checkoutSessionCompleted(now), null, 2);
  const v1 = createHmac("sha256", secret).update(`${now}.${payload}`).digest("hex");
  return { body: Buffer.from(payload), signature: `t=${now},v1=${v1}` };
}

/**
 * Signed events for one route: `refill()` signs a fresh pool right before a run; each request takes
 * the next one, so every request carries a distinct event id. A run that outlasts its pool signs
 * the rest on the fly (counted, and the next pool is bigger).
 */
function eventPool(secret) {
  let pool = [];
  let next = 0;
  let nextSize = FIRST_POOL;
  const stats = { signedAhead: 0, signedDuringLoad: 0, taken: 0 };
  return {
    stats,
    refill() {
      if (next > 0) nextSize = Math.max(1_000, Math.ceil(next * 1.25));
      const now = Math.floor(Date.now() / 1000);
      pool = Array.from({ length: nextSize }, () => signedEvent(secret, now));
      next = 0;
      stats.signedAhead += pool.length;
    },
    take() {
      stats.taken++;
      if (next < pool.length) return pool[next++];
      next++;
      stats.signedDuringLoad++;
      return signedEvent(secret, Math.floor(Date.now() / 1000));
    },
  };
}

/** An autocannon endpoint POSTing the pool's events to `path`, counting what came back. */
function signedEventEndpoint(url, path, secret, quiesce) {
  const pool = eventPool(secret);
  const answered = { ok: 0, duplicates: 0, other: 0 };
  return {
    pool,
    answered,
    endpoint: {
      url: `${url}${path}`,
      beforeRun: async () => {
        await quiesce();
        pool.refill();
      },
      requests: [
        {
          method: "POST",
          path,
          setupRequest: (req) => {
            const { body, signature } = pool.take();
            return {
              ...req,
              body,
              headers: {
                ...req.headers,
                "content-type": "application/json; charset=utf-8",
                "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                "stripe-signature": signature,
              },
            };
          },
          onResponse: (status, body) => {
            if (status !== 200) answered.other++;
            else if (body.includes('"duplicate":true')) answered.duplicates++;
            else answered.ok++;
          },
        },
      ],
    },
  };
}

async function eventCounts(url) {
  const res = await fetch(`${url}/__bench/stripe-events`);
  const text = await res.text();
  if (!res.ok) throw new Error(`GET /__bench/stripe-events → ${res.status}: ${text.slice(0, 200)}`);
  const byStatus = JSON.parse(text);
  return { ...byStatus, total: Object.values(byStatus).reduce((a, b) => a + b, 0) };
}

/**
 * Waits until the Stripe event consumer (same workerd) has processed what the last ingest turn
 * recorded, so its work does not slow the next run down, and (with `expectTotal`) until that many
 * rows exist. Gives up when nothing has moved for 5 s (e.g. a row whose enqueue was cut off with its
 * request stays `received`) or at the deadline.
 */
async function drainConsumer(url, expectTotal = 0) {
  const started = Date.now();
  const busy = (c) => (c.received ?? 0) > 0 || c.total < expectTotal;
  let last = await eventCounts(url);
  let lastChange = Date.now();
  while (busy(last) && Date.now() - started < DRAIN_TIMEOUT_MS && Date.now() - lastChange < 5_000) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await eventCounts(url);
    if (now.received !== last.received || now.total !== last.total) lastChange = Date.now();
    last = now;
  }
  return { ms: Date.now() - started, counts: last };
}

/** Sends one event to each route before any load: a route that refuses a good signature stops the bench here. */
async function assertRoutesAccept(url, secret) {
  for (const path of ["/__bench/stripe-verify", "/v1/stripe/webhooks"]) {
    const { body, signature } = signedEvent(secret, Math.floor(Date.now() / 1000));
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", "stripe-signature": signature },
      body,
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`POST ${path} with a signed event → ${res.status}: ${text.slice(0, 300)}`);
  }
  const wrong = signedEvent(`whsec_${randomBytes(24).toString("base64url")}`, Math.floor(Date.now() / 1000));
  const res = await fetch(`${url}/__bench/stripe-verify`, {
    method: "POST",
    headers: { "stripe-signature": wrong.signature },
    body: wrong.body,
  });
  await res.text();
  if (res.status !== 400)
    throw new Error(`POST /__bench/stripe-verify accepted a wrong signature (${res.status}): the baseline does not verify`);
}

/** @param {{ worker: () => Promise<{ url: string, stripeWebhookSecret: string }>, log: (line?: string) => void }} ctx */
export async function run({ worker, log }) {
  const { url, stripeWebhookSecret: secret } = await worker();
  await assertBareRouteServedByWorker(url);
  if (!secret) throw new Error("the bench worker has no stripeWebhookSecret (bench/lib/worker.mjs generates it)");
  const { durationS, warmupS, connections } = LOAD_SETTINGS;
  if (warmupS + durationS > TOLERANCE_S - 30) {
    throw new Error(
      `BENCH_WARMUP + BENCH_DURATION must stay under ${TOLERANCE_S - 30} s: events are signed before each run and expire after ${TOLERANCE_S} s`,
    );
  }
  await assertRoutesAccept(url, secret);
  await drainConsumer(url);
  const before = await eventCounts(url);

  const sample = signedEvent(secret, Math.floor(Date.now() / 1000));
  log(
    `event: checkout.session.completed, ${sample.body.length.toLocaleString("en-US")} bytes pretty-printed, no plaza_* metadata (the consumer records it as ignored)`,
  );

  log(`reference: GET /__bench/bare, one run of ${warmupS} s warm-up + ${durationS} s`);
  const bare = await measureThroughput({ url: `${url}/__bench/bare` });
  log(
    `  ${"GET /__bench/bare".padEnd(34)} ${fmt.rps(bare.requestsPerSec).padStart(12)}  p50 ${fmt.ms(bare.p50Ms)}  p99 ${fmt.ms(bare.p99Ms)}`,
  );

  const drains = [];
  const quiesce = async () => {
    const drain = await drainConsumer(url);
    if (drain.ms > 300) drains.push(drain);
  };
  const verify = signedEventEndpoint(url, "/__bench/stripe-verify", secret, quiesce);
  const ingest = signedEventEndpoint(url, "/v1/stripe/webhooks", secret, quiesce);

  log(
    `${ROUNDS} rounds of each, alternating; each ${warmupS} s warm-up + ${durationS} s, ${connections} connections, a distinct event per request, signed right before each run`,
  );
  const names = { baseline: "POST /__bench/stripe-verify", target: "POST /v1/stripe/webhooks" };
  const result = await compareAlternating({
    baseline: verify.endpoint,
    target: ingest.endpoint,
    rounds: ROUNDS,
    onRun: (label, r) =>
      log(`  ${names[label].padEnd(34)} ${fmt.rps(r.requestsPerSec).padStart(12)}  p50 ${fmt.ms(r.p50Ms)}  p99 ${fmt.ms(r.p99Ms)}`),
  });

  // Requests cut off when a run ends are still handled by the Worker after autocannon has gone, so
  // rows keep landing for a moment: count once the consumer has drained, against events sent.
  const sent = ingest.pool.stats.taken;
  const after = await eventCounts(url);
  const drained = await drainConsumer(url, before.total + sent);
  const rows = drained.counts.total - before.total;
  const answered200 = ingest.answered.ok + ingest.answered.duplicates;

  log();
  log(
    table(THROUGHPUT_HEADER, [
      throughputRow("reference: GET /__bench/bare", bare),
      throughputRow("baseline: constructEventAsync (mean)", result.baseline),
      throughputRow("target:   webhook ingest (mean)", result.target),
    ]),
  );
  log(`ratio ingest ÷ verify: ${ratioAgainstGoal(result.ratio, RATIO_GOAL)}`);
  log(
    `(verify ÷ bare ${fmt.ratio(result.baseline.requestsPerSec / bare.requestsPerSec)}, ingest ÷ bare ${fmt.ratio(result.target.requestsPerSec / bare.requestsPerSec)})`,
  );
  log();
  log(
    `stripe_events: ${rows.toLocaleString("en-US")} rows recorded for ${sent.toLocaleString("en-US")} distinct events sent; ` +
      `${answered200.toLocaleString("en-US")} answered 200 (${ingest.answered.duplicates} as duplicates), ${sent - answered200} cut off unanswered when a run ended`,
  );
  if (rows !== sent) log(`  rows ≠ events sent (${rows - sent >= 0 ? "+" : ""}${rows - sent}): some events were lost or recorded twice`);
  const statuses = (counts) =>
    Object.entries(counts)
      .filter(([k]) => k !== "total")
      .map(([k, n]) => `${k} ${n.toLocaleString("en-US")}`)
      .join(", ");
  log(`  right after the load: ${statuses(after)}; ${(drained.ms / 1000).toFixed(1)} s later: ${statuses(drained.counts)}`);
  if (drains.length)
    log(`  waited for the consumer before ${drains.length} run(s): ${drains.map((d) => `${(d.ms / 1000).toFixed(1)} s`).join(", ")}`);
  const onTheFly = verify.pool.stats.signedDuringLoad + ingest.pool.stats.signedDuringLoad;
  if (onTheFly) log(`  ${onTheFly.toLocaleString("en-US")} events were signed during load (a pool ran out)`);

  return {
    metrics: [
      { name: "bare req/s (reference)", value: bare.requestsPerSec, display: fmt.rps(bare.requestsPerSec) },
      { name: "constructEventAsync req/s", value: result.baseline.requestsPerSec, display: fmt.rps(result.baseline.requestsPerSec) },
      { name: "webhook ingest req/s", value: result.target.requestsPerSec, display: fmt.rps(result.target.requestsPerSec) },
      {
        name: "webhook ingest p50 / p99",
        value: result.target.p50Ms,
        display: `${fmt.ms(result.target.p50Ms)} / ${fmt.ms(result.target.p99Ms)}`,
      },
      { name: "ratio ingest ÷ verify", value: result.ratio, display: ratioAgainstGoal(result.ratio, RATIO_GOAL) },
      {
        name: "stripe_events rows vs 200s",
        value: rows - answered200,
        display: `${rows.toLocaleString("en-US")} rows, ${answered200.toLocaleString("en-US")} × 200, ${sent.toLocaleString("en-US")} sent${rows === sent ? "" : " (rows ≠ sent)"}`,
      },
    ],
    details: {
      settings: { ...LOAD_SETTINGS, rounds: ROUNDS, eventBytes: sample.body.length },
      bare,
      ...result,
      events: {
        before,
        after,
        drained,
        rows,
        sent,
        answered: ingest.answered,
        verifyAnswered: verify.answered,
        pools: { verify: verify.pool.stats, ingest: ingest.pool.stats },
        drains,
      },
    },
  };
}

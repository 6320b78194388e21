import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, errorCode } from "../../test/http";
import { countRows, eventually, signedDelivery } from "../../test/payments";

const eventPayload = (type: string, object: Record<string, unknown> = { id: "obj_1", object: "thing" }) =>
  JSON.stringify({
    id: `evt_${crypto.randomUUID().replaceAll("-", "")}`,
    object: "event",
    api_version: "2026-10-28.endive",
    created: Math.floor(Date.now() / 1000),
    type,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
  });

const eventRow = (id: string) =>
  env.DB.prepare("SELECT status, type FROM stripe_events WHERE id = ?").bind(id).first<{ status: string; type: string }>();

describe("Stripe webhook ingest", () => {
  it("refuses a missing, tampered, wrongly keyed or expired signature with 400 and stores nothing", async () => {
    const payload = eventPayload("charge.refunded");
    const id = JSON.parse(payload).id;
    const unsigned = await call("POST", "/v1/stripe/webhooks", { rawBody: payload });
    expect([unsigned.status, errorCode(unsigned)]).toEqual([400, "invalid_request"]);

    const tampered = await signedDelivery(payload, {}, payload.replace("charge.refunded", "charge.refundex"));
    const garbage = await call("POST", "/v1/stripe/webhooks", { rawBody: payload, headers: { "stripe-signature": "t=1,v1=00" } });
    const wrongSecret = await signedDelivery(payload, { secret: "whsec_not_ours" });
    const connectSecretOnPlatform = await signedDelivery(payload, {
      secret: (env as unknown as { STRIPE_CONNECT_WEBHOOK_SECRET: string }).STRIPE_CONNECT_WEBHOOK_SECRET,
    });
    const expired = await signedDelivery(payload, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    for (const r of [tampered, garbage, wrongSecret, connectSecretOnPlatform, expired])
      expect([r.status, errorCode(r)]).toEqual([400, "invalid_request"]);
    expect(await eventRow(id)).toBeNull();
  });

  it("records an event once: a replay is 200 with no effect", async () => {
    const payload = eventPayload("product.created");
    const id = JSON.parse(payload).id;
    const first = await signedDelivery(payload);
    const again = await signedDelivery(payload);
    expect(first.body).toEqual({ received: true, duplicate: false });
    expect(again.body).toEqual({ received: true, duplicate: true });
    expect(await countRows("SELECT 1 FROM stripe_events WHERE id = ?", id)).toBe(1);
  });

  it("records an unknown event type and ignores it", async () => {
    const payload = eventPayload("radar.early_fraud_warning.created");
    const id = JSON.parse(payload).id;
    expect((await signedDelivery(payload)).status).toBe(200);
    const row = await eventually(async () => {
      const r = await eventRow(id);
      return r?.status === "received" ? undefined : r;
    }, "the queue consumer");
    expect(row).toEqual({ status: "ignored", type: "radar.early_fraud_warning.created" });
  });

  it("ignores Plaza-looking events whose objects carry no Plaza metadata", async () => {
    const payload = eventPayload("checkout.session.completed", {
      id: "cs_test_other",
      object: "checkout.session",
      mode: "payment",
      metadata: {},
    });
    const id = JSON.parse(payload).id;
    await signedDelivery(payload);
    await eventually(async () => ((await eventRow(id))?.status === "ignored" ? true : undefined), "the event to be ignored");
  });
});

import { describe, expect, it } from "vitest";
import { errorCode } from "../../test/http";
import { countRows, signedDelivery } from "../../test/payments";

const allEvents = () => countRows("SELECT 1 FROM stripe_events");
const eventId = () => `evt_${crypto.randomUUID().replaceAll("-", "")}`;
const event = (overrides: Record<string, unknown> = {}) => ({
  id: eventId(),
  object: "event",
  api_version: "2026-10-28.endive",
  created: Math.floor(Date.now() / 1000),
  type: "charge.refunded",
  data: { object: { id: "ch_1", object: "charge" } },
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  ...overrides,
});

/** Bodies Stripe signs correctly (the secret is ours) that are still not events Plaza can record. */
const NOT_EVENTS: [string, string][] = [
  ["null", "null"],
  ["a number", "42"],
  ["a string", '"evt_1"'],
  ["an array", "[]"],
  ["an empty object", "{}"],
  ["no id", JSON.stringify({ ...event(), id: undefined })],
  ["a null id", JSON.stringify(event({ id: null }))],
  ["a numeric id", JSON.stringify(event({ id: 12 }))],
  ["an id that is not an event id", JSON.stringify(event({ id: "x".repeat(5000) }))],
  ["no type", JSON.stringify({ ...event(), type: undefined })],
  ["a type that is an object", JSON.stringify(event({ type: { a: 1 } }))],
  ["an account that is a number", JSON.stringify(event({ account: 7 }))],
  ["no data", JSON.stringify({ ...event(), data: undefined })],
  ["data.object null", JSON.stringify(event({ data: { object: null } }))],
  ["data.object without an id", JSON.stringify(event({ data: { object: { object: "charge" } } }))],
];

describe("a correctly signed body that is not a Stripe event", () => {
  for (const connect of [false, true]) {
    for (const [what, body] of NOT_EVENTS) {
      it(`${connect ? "Connect" : "platform"} endpoint, ${what}: 400 invalid_request, nothing recorded`, async () => {
        const before = await allEvents();
        const res = await signedDelivery(body, { connect });
        expect([res.status, errorCode(res)]).toEqual([400, "invalid_request"]);
        expect(await allEvents()).toBe(before);
      });
    }
  }

  it("a well-formed event is still recorded", async () => {
    const ok = event({ type: "product.created", data: { object: { id: "prod_1", object: "product" } } });
    const res = await signedDelivery(JSON.stringify(ok));
    expect(res.body).toEqual({ received: true, duplicate: false });
    expect(await countRows("SELECT 1 FROM stripe_events WHERE id = ?", ok.id)).toBe(1);
  });
});

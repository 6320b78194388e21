import { and, eq } from "drizzle-orm";
import type Stripe from "stripe";
import type { PricingT } from "../../../shared/catalog";
import type { ItemRow } from "../catalog/queries";
import type { Db } from "../db/client";
import { stripePrices } from "../db/schema";

export type PaidPricing = Exclude<PricingT, { model: "free" }>;
export type StripePriceRow = typeof stripePrices.$inferSelect;

/** Canonical JSON of what a price charges: two items' equal pricing gives equal keys. */
export function pricingKey(pricing: PaidPricing): string {
  const { model, amount, currency } = pricing;
  const extra =
    pricing.model === "subscription" ? { interval: pricing.interval } : pricing.model === "metered" ? { unit: pricing.unit } : {};
  return JSON.stringify({ model, amount, currency, ...extra });
}

/** A metered item's meter event name: stable per item, as Stripe meters are matched by name. */
export const meterEventName = (item: Pick<ItemRow, "seq">) => `plaza_usage_item_${item.seq}`;

/**
 * The Stripe price for the item's current pricing, created on first checkout. Stripe prices are
 * immutable, so a pricing change makes a new one; idempotency keys derived from item and pricing
 * make concurrent first checkouts create one product, meter and price.
 */
export async function priceFor(stripe: Stripe, db: Db, item: ItemRow, pricing: PaidPricing): Promise<StripePriceRow> {
  const key = pricingKey(pricing);
  const known = await db.query.stripePrices.findFirst({ where: and(eq(stripePrices.itemId, item.id), eq(stripePrices.pricingKey, key)) });
  if (known) return known;

  const idem = (what: string) => ({ idempotencyKey: `${what}:${item.id}:${key}` });
  const product = await stripe.products.create({ name: item.name, metadata: { plaza_item_id: item.id } }, idem("product"));
  let meter: string | undefined;
  let eventName: string | null = null;
  if (pricing.model === "metered") {
    eventName = meterEventName(item);
    meter = (
      await stripe.billing.meters.create(
        {
          display_name: `${item.name} (${pricing.unit})`,
          event_name: eventName,
          default_aggregation: { formula: "sum" },
          customer_mapping: { type: "by_id", event_payload_key: "stripe_customer_id" },
          value_settings: { event_payload_key: "value" },
        },
        idem("meter"),
      )
    ).id;
  }
  const recurring: Stripe.PriceCreateParams.Recurring | undefined =
    pricing.model === "subscription"
      ? { interval: pricing.interval }
      : pricing.model === "metered"
        ? { interval: "month", usage_type: "metered", meter }
        : undefined;
  const price = await stripe.prices.create(
    {
      product: product.id,
      currency: pricing.currency,
      unit_amount: pricing.amount,
      ...(recurring ? { recurring } : {}),
      metadata: { plaza_item_id: item.id },
    },
    idem("price"),
  );
  const row: StripePriceRow = {
    priceId: price.id,
    itemId: item.id,
    pricingKey: key,
    productId: product.id,
    meterEventName: eventName,
    createdAt: Date.now(),
  };
  await db.insert(stripePrices).values(row).onConflictDoNothing();
  return (await db.query.stripePrices.findFirst({ where: and(eq(stripePrices.itemId, item.id), eq(stripePrices.pricingKey, key)) })) ?? row;
}

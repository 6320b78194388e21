import { and, eq, type SQLWrapper, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { PricingT } from "../../../shared/catalog";
import type { Ctx } from "../context";
import type { Db } from "../db/client";
import { stripeFor } from "./client";
import { stripePrices } from "./tables";

export type PaidPricing = Exclude<PricingT, { model: "free" }>;
export type StripePriceRow = typeof stripePrices.$inferSelect;
/** What a price is made for: the item's id, its name (the Stripe product's) and its number (its meter's name). */
export interface PricedItem {
  id: string;
  name: string;
  seq: number;
}

/** Canonical JSON of what a price charges: two items' equal pricing gives equal keys. */
export function pricingKey(pricing: PaidPricing): string {
  const { model, amount, currency } = pricing;
  const extra =
    pricing.model === "subscription" ? { interval: pricing.interval } : pricing.model === "metered" ? { unit: pricing.unit } : {};
  return JSON.stringify({ model, amount, currency, ...extra });
}

/** A metered item's meter event name: stable per item, as Stripe meters are matched by name. */
export const meterEventName = (item: Pick<PricedItem, "seq">) => `plaza_usage_item_${item.seq}`;

/** SQL: the meter event name of the item `itemId` (a column or a value), null unless it is metered; for statements that read it in place. */
export const meterEventNameSql = (itemId: SQLWrapper | string) => {
  const p = stripePrices;
  return sql<
    string | null
  >`(SELECT ${p.meterEventName} FROM ${p} WHERE ${p.itemId} = ${itemId} AND ${p.meterEventName} IS NOT NULL LIMIT 1)`;
};

const knownPrice = async (db: Db, itemId: string, key: string) =>
  (
    await db
      .select()
      .from(stripePrices)
      .where(and(eq(stripePrices.itemId, itemId), eq(stripePrices.pricingKey, key)))
      .limit(1)
  )[0];

/**
 * The Stripe price for the item's current pricing, created on first checkout. Stripe prices are
 * immutable, so a pricing change makes a new one; idempotency keys derived from item and pricing
 * make concurrent first checkouts create one product, meter and price.
 */
export async function priceFor(
  { env, db }: Pick<Ctx, "env" | "db">,
  { item, pricing }: { item: PricedItem; pricing: PaidPricing },
): Promise<StripePriceRow> {
  const key = pricingKey(pricing);
  const known = await knownPrice(db, item.id, key);
  if (known) return known;
  const stripe = stripeFor(env);

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
  return (await knownPrice(db, item.id, key)) ?? row;
}

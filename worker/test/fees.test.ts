import { describe, expect, it } from "vitest";
import { authorReceives } from "../../shared/fees";

const fee = { bps: 1000, fixed: 30 };

describe("what an author receives of a price", () => {
  it("is the price less the fee checkout charges for its kind of sale", () => {
    // One-time: 10% of 19.99 rounded half up (200) plus the fixed 30.
    expect(authorReceives(fee, { model: "one_time", amount: 1999, currency: "usd" })).toBe(1769);
    // Subscriptions and metered invoices carry only the percentage.
    expect(authorReceives(fee, { model: "subscription", amount: 500, currency: "usd", interval: "month" })).toBe(450);
    expect(authorReceives(fee, { model: "metered", amount: 5, currency: "usd", unit: "call" })).toBe(4);
    expect(authorReceives(fee, { model: "free" })).toBeNull();
  });

  it("is never negative: the fee stops at the price", () => {
    expect(authorReceives({ bps: 0, fixed: 100 }, { model: "one_time", amount: 50, currency: "usd" })).toBe(0);
  });
});

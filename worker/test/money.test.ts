import { describe, expect, it } from "vitest";
import { amountText, parseAmount } from "../../shared/money";

describe("amounts typed in a currency's units", () => {
  it("become minor units by the currency's own digits", () => {
    expect(parseAmount("19.99", "usd")).toBe(1999);
    expect(parseAmount(" 5 ", "usd")).toBe(500);
    expect(parseAmount("0.5", "eur")).toBe(50);
    expect(parseAmount("4,20", "eur")).toBe(420);
    expect(parseAmount("500", "jpy")).toBe(500);
    expect(parseAmount("1.234", "kwd")).toBe(1234);
  });

  it("are refused when they are not an amount of that currency", () => {
    for (const [text, currency] of [
      ["", "usd"],
      ["1.999", "usd"],
      ["5.5", "jpy"],
      ["-3", "usd"],
      ["1e3", "usd"],
      ["$5", "usd"],
    ]) {
      expect(parseAmount(text!, currency!), `${text} ${currency}`).toBeUndefined();
    }
  });

  it("show back as typed", () => {
    expect(amountText(1999, "usd")).toBe("19.99");
    expect(amountText(500, "usd")).toBe("5.00");
    expect(amountText(500, "jpy")).toBe("500");
    for (const [amount, currency] of [
      [1, "usd"],
      [123456, "eur"],
      [7, "jpy"],
      [1001, "kwd"],
    ] as const) {
      expect(parseAmount(amountText(amount, currency), currency)).toBe(amount);
    }
  });
});

import { describe, expect, it } from "vitest";
import { formatBytes, formatPrice, formatRating } from "./format";

describe("storefront formatting", () => {
  it("formats prices from minor units in the currency's own precision", () => {
    expect(formatPrice({ model: "free" })).toBe("Free");
    expect(formatPrice({ model: "one_time", amount: 1999, currency: "usd" })).toBe("$19.99");
    expect(formatPrice({ model: "one_time", amount: 500, currency: "jpy" })).toBe("¥500");
    expect(formatPrice({ model: "subscription", amount: 900, currency: "eur", interval: "month" })).toBe("€9.00 / month");
    expect(formatPrice({ model: "metered", amount: 1, currency: "usd", unit: "request" })).toBe("$0.01 per request");
  });

  it("formats ratings and sizes", () => {
    expect(formatRating({ ratingAverage: null, reviewCount: 0 })).toBe("No reviews yet");
    expect(formatRating({ ratingAverage: 4.25, reviewCount: 1 })).toBe("4.3 ★ (1 review)");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(2048)).toBe("2 KB");
    expect(formatBytes(5.5 * 1024 * 1024)).toBe("5.5 MB");
  });
});

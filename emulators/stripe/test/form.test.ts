import { describe, expect, it } from "vitest";
import { decodeFormString, splitKey } from "../src/form";

describe("form decoding", () => {
  it("splits bracketed keys", () => {
    expect(splitKey("line_items[0][price]")).toEqual(["line_items", "0", "price"]);
    expect(splitKey("expand[]")).toEqual(["expand", ""]);
    expect(splitKey("email")).toEqual(["email"]);
  });

  it("builds nested objects and arrays, keeping values as strings", () => {
    const body =
      "mode=payment&line_items[0][price]=price_1&line_items[0][quantity]=2&line_items[1][price]=price_2" +
      "&metadata[order]=42&payment_intent_data[transfer_data][destination]=acct_1&expand[]=customer&expand[]=payment_intent";
    expect(decodeFormString(body)).toEqual({
      mode: "payment",
      line_items: [{ price: "price_1", quantity: "2" }, { price: "price_2" }],
      metadata: { order: "42" },
      payment_intent_data: { transfer_data: { destination: "acct_1" } },
      expand: ["customer", "payment_intent"],
    });
  });

  it("decodes percent-encoded brackets and values, and compacts sparse indices", () => {
    expect(decodeFormString("a%5B0%5D=x%20y&a%5B2%5D=z&email=a%2Bb%40c.test")).toEqual({
      a: ["x y", "z"],
      email: "a+b@c.test",
    });
  });
});

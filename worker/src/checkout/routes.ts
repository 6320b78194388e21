import { createRoute, z } from "@hono/zod-openapi";
import { ItemSlug } from "../../../shared/catalog";
import { CheckoutBody, CheckoutId, CheckoutSession, CheckoutStatus } from "../../../shared/payments";
import { requirePrincipal } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, conflictError, ErrorSchema, json, jsonBody, notFoundError } from "../http/openapi-helpers";
import { revealLicenseKey } from "../licenses";
import * as service from "./service";

const tags = ["Checkout"];
const IdempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .meta({ description: "Retries with the same key return the same Checkout Session" });

export const checkoutRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/items/{slug}/checkout",
      tags,
      summary: "Buy an item: a Stripe Checkout Session to send the buyer to (signed in, or a guest with an e-mail)",
      description:
        "One-time items open a payment, subscription and metered items a subscription. Answers 409 `charges_disabled` while the author cannot take payments.",
      security: [{ bearerAuth: [] }, {}] as { [name: string]: string[] }[],
      request: {
        params: z.object({ slug: ItemSlug }),
        headers: z.object({ "idempotency-key": IdempotencyKey }),
        ...jsonBody(CheckoutBody),
      },
      responses: {
        201: json(CheckoutSession, "Redirect the buyer to `url`"),
        ...authErrors,
        ...notFoundError,
        ...conflictError,
        422: json(ErrorSchema, "`unprocessable`: the `promotionCode` does not exist for this item, is inactive, expired or used up"),
      },
    }),
    async (c) => {
      const principal = c.get("principal") ? requirePrincipal(c.get("principal"), "payments:write") : undefined;
      const session = await service.startCheckout(c.var.ctx, {
        slug: c.req.valid("param").slug,
        principal,
        email: c.req.valid("json").email,
        interval: c.req.valid("json").interval,
        promotionCode: c.req.valid("json").promotionCode,
        idempotencyKey: c.req.valid("header")["idempotency-key"],
      });
      return c.json(session, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/checkouts/{checkoutId}",
      tags,
      summary: "A checkout's state for its success page: open, complete with its order, or closed unpaid (expired, failed)",
      description:
        "The first answer after fulfillment carries the purchase's license key in full (`licenseKey`); it is shown only that once (later answers have `null`), so show it to the buyer when it arrives. Never cached.",
      request: { params: z.object({ checkoutId: CheckoutId }) },
      responses: { 200: json(CheckoutStatus, "The checkout"), ...notFoundError, 400: authErrors[400] },
    }),
    async (c) => {
      const { checkoutId } = c.req.valid("param");
      const status = await service.checkoutStatus(c.var.ctx, checkoutId);
      const licenseKey = await revealLicenseKey(c.var.ctx, checkoutId);
      c.header("cache-control", "no-store");
      return c.json({ ...status, licenseKey }, 200);
    },
  );

import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import Stripe from "stripe";
import type { ItemT } from "../../../shared/catalog";
import { CheckoutBody, CheckoutId } from "../../../shared/payments";
import { startCheckout } from "../checkout";
import type { AppEnv } from "../env";
import { AppError } from "../http/errors";
import { log } from "../http/log";
import { revealLicenseKey } from "../licenses";
import { loadCanceledItem, loadCheckoutPage, loadItemPage } from "./data";
import { storefrontHtml } from "./html";
import { CheckoutCancelPage, CheckoutNotFoundPage, CheckoutSuccessPage } from "./pages/checkout";
import { ErrorPage } from "./pages/error";
import { type CheckoutProblem, ItemPage } from "./pages/item";

/**
 * Buying from the storefront without JavaScript:
 * - `POST /items/{slug}/checkout` (the item page's guest form) opens a Stripe Checkout for the
 *   e-mail given and 303-redirects there; a refusal (the author cannot take payments yet, a bad
 *   e-mail) renders the item page again with the reason next to the form.
 * - `GET /checkout/success?checkout=chk_…` is where Stripe sends the buyer after paying; it waits
 *   for the order with a self-refreshing page. `GET /checkout/cancel?item=slug` after "back".
 * None of these are cached: they depend on the request.
 */

/** The form has one field; anything near this size is not our form. */
const FORM_MAX_BYTES = 8 * 1024;
/** The success page reloads every this many seconds while the order is being fulfilled… */
const REFRESH_SECONDS = 2;
/** …and gives up after this many reloads (about a minute), saying so, instead of spinning forever. */
const MAX_REFRESHES = 30;

const noStore = { "cache-control": "no-store" };
const ENTER_EMAIL = "Enter the e-mail address your purchase should go to.";

/** Why a guest checkout did not start, in words for the buyer; undefined for unexpected failures. */
function describeRefusal(err: unknown, item: ItemT): { message: string; status: ContentfulStatusCode } | undefined {
  if (err instanceof AppError) {
    switch (err.code) {
      case "charges_disabled":
        return {
          status: 409,
          message: `${item.orgName} cannot take payments yet, so ${item.name} cannot be bought right now. Please try again later.`,
        };
      case "seller_disconnected":
        return { status: 409, message: `${item.name} is not available for purchase right now. Please try again later.` };
      case "conflict":
        return { status: 409, message: item.pricing.model === "free" ? `${item.name} is free: use the Get button.` : `${err.message}.` };
      case "invalid_request":
        return { status: 400, message: ENTER_EMAIL };
      case "unprocessable":
        // A coupon code that does not apply: the reason, next to the form with the code kept.
        return { status: 422, message: `${err.message}.` };
      case "rate_limited":
        return { status: 429, message: "Too many attempts. Please wait a minute and try again." };
      case "upstream_error":
        break;
      default:
        return undefined;
    }
  }
  if (err instanceof Stripe.errors.StripeError || (err instanceof AppError && err.code === "upstream_error")) {
    return { status: 502, message: "The payment service did not answer. Please try again in a moment." };
  }
  return undefined;
}

const successUrl = (checkoutId: string, poll: number) =>
  `/checkout/success?${new URLSearchParams({ checkout: checkoutId, ...(poll > 0 && { poll: String(poll) }) })}`;

export const checkoutPages = new Hono<AppEnv>()
  .post(
    "/items/:slug/checkout",
    bodyLimit({ maxSize: FORM_MAX_BYTES, onError: (c) => storefrontHtml(c, <ErrorPage status={413} />, 413) }),
    async (c) => {
      const slug = c.req.param("slug");
      const form = await c.req.parseBody();
      const email = typeof form.email === "string" ? form.email.trim() : "";
      const promotionCode = typeof form.promotionCode === "string" ? form.promotionCode.trim() : "";
      // A subscription item offering monthly and yearly plans: the buyer's pick (absent: its primary plan).
      const interval = typeof form.interval === "string" ? form.interval : undefined;
      const parsed = CheckoutBody.safeParse({ email: email || undefined, promotionCode: promotionCode || undefined, interval });
      /** The item page again (not cached), with the reason next to the form and the e-mail and code kept. */
      const refuse = async (problem: CheckoutProblem, status: ContentfulStatusCode) =>
        storefrontHtml(
          c,
          <ItemPage {...(await loadItemPage(c.var.ctx, slug))} checkoutProblem={{ promotionCode, ...problem }} />,
          status,
          noStore,
        );
      if (!parsed.success && parsed.error.issues.some((issue) => issue.path[0] === "promotionCode")) {
        return refuse({ email, message: "A code has letters, digits, - and _ only." }, 400);
      }
      if (!parsed.success || !parsed.data.email) return refuse({ email, message: ENTER_EMAIL }, 400);
      try {
        const session = await startCheckout(c.var.ctx, {
          slug,
          email: parsed.data.email,
          promotionCode: parsed.data.promotionCode,
          interval: parsed.data.interval,
        });
        return c.redirect(session.url, 303);
      } catch (err) {
        // An unknown item is the 404 page; anything unexpected the 500 page (both via onError).
        if (err instanceof AppError && err.code === "not_found") throw err;
        const { item } = await loadItemPage(c.var.ctx, slug);
        const refusal = describeRefusal(err, item);
        if (!refusal) throw err;
        if (refusal.status === 502) log("error", "guest checkout failed at Stripe", { requestId: c.get("requestId"), error: String(err) });
        return refuse({ email, message: refusal.message }, refusal.status);
      }
    },
  )
  .get("/checkout/success", async (c) => {
    const id = CheckoutId.safeParse(c.req.query("checkout"));
    if (!id.success) return storefrontHtml(c, <CheckoutNotFoundPage />, 404, noStore);
    let page: Awaited<ReturnType<typeof loadCheckoutPage>>;
    try {
      page = await loadCheckoutPage(c.var.ctx, id.data);
    } catch (err) {
      if (err instanceof AppError && err.code === "not_found") return storefrontHtml(c, <CheckoutNotFoundPage />, 404, noStore);
      throw err;
    }
    const poll = Math.min(Math.max(Math.trunc(Number(c.req.query("poll"))) || 0, 0), MAX_REFRESHES);
    // A checkout that closed unpaid (expired, payment failed) waits for nothing.
    const closed = page.checkout.status === "expired" || page.checkout.status === "failed";
    const waiting = !closed && page.checkout.orderId === null;
    // The first view after fulfillment shows the license key; it is never shown again.
    const licenseKey = waiting ? null : await revealLicenseKey(c.var.ctx, id.data);
    const gaveUp = waiting && poll >= MAX_REFRESHES;
    return storefrontHtml(
      c,
      <CheckoutSuccessPage
        {...page}
        licenseKey={licenseKey}
        refresh={waiting && !gaveUp ? { seconds: REFRESH_SECONDS, url: successUrl(id.data, poll + 1) } : undefined}
        gaveUp={gaveUp ? { checkAgainUrl: successUrl(id.data, 0) } : undefined}
      />,
      200,
      noStore,
    );
  })
  .get("/checkout/cancel", async (c) => {
    const item = await loadCanceledItem(c.var.ctx, c.req.query("item"));
    return storefrontHtml(c, <CheckoutCancelPage item={item} />, 200, noStore);
  });

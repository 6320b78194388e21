import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv, Env } from "../env";
import { inlineHash, type PageSources } from "../http/page-security";
import { stripeTarget } from "../stripe";
import { STOREFRONT_CSS } from "./pages/styles";

/** Stripe's hosted Checkout pages (`https://checkout.stripe.com/c/pay/cs_…`). */
const STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com";

/**
 * Where a storefront form may send the browser: back to Plaza, and on to the hosted checkout page
 * the guest form redirects to (Stripe's, or the local emulator's when no STRIPE_SECRET_KEY is set).
 * Browsers apply `form-action` to the redirects after a form post too.
 */
export function checkoutOrigin(env: Env): string {
  try {
    const { emulatorUrl } = stripeTarget(env);
    return emulatorUrl ? new URL(emulatorUrl).origin : STRIPE_CHECKOUT_ORIGIN;
  } catch {
    // Production without a key: checkout itself refuses to start; the page still renders.
    return STRIPE_CHECKOUT_ORIGIN;
  }
}

const STOREFRONT_CSS_HASH = inlineHash(STOREFRONT_CSS);

/**
 * No script ever runs on these pages (author Markdown is sanitized as well; this is the backstop),
 * and the one stylesheet is the layout's inline `<style>`, allowed by its hash. `data:` images are
 * the item images' inline placeholders (an image cannot run script).
 */
export const storefrontSources = (env: Env): PageSources => ({
  "style-src": [STOREFRONT_CSS_HASH],
  "img-src": ["'self'", "https:", "data:"],
  "form-action": ["'self'", checkoutOrigin(env)],
});

/** A storefront page: HTML (with any extra `headers`); its security headers come from `storefrontSources`. */
export const storefrontHtml = (
  c: Context<AppEnv>,
  page: Parameters<Context<AppEnv>["html"]>[0],
  status: ContentfulStatusCode = 200,
  headers: Record<string, string> = {},
) => {
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  return c.html(page, status);
};

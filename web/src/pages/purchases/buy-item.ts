import type { ItemT } from "../../../../shared/catalog";
import { LEGAL_PAGES } from "../../../../shared/legal";
import { api } from "../../api/client";
import type { ApiError } from "../../api/errors";
import { asApiError } from "../../api/errors";
import { publicApi } from "../../api/public-client";
import { unwrap } from "../../api/unwrap";
import { h } from "../../dom";
import { formatPrice } from "../../format";
import { navigate, type PageContext } from "../../router";
import { alertBox } from "../../ui/alert";
import { describeError } from "../../ui/messages";
import { narrowPage } from "../../ui/page";
import { PURCHASES_PATH, storefrontItemUrl } from "../paths";
import { planChoice } from "./plan-choice";
import { promotionCodeField } from "./promotion-code";

/** The buyer's words for why a checkout could not start; the rest are the API's own messages. */
function checkoutProblem(err: ApiError, item: ItemT): Node {
  switch (err.code) {
    case "charges_disabled":
      return alertBox(
        "error",
        `${item.orgName} cannot take payments yet, so ${item.name} cannot be bought right now. Please try again later.`,
      );
    case "seller_disconnected":
      return alertBox("info", `${item.name} is not available for purchase right now. Please try again later.`);
    case "conflict":
      // Already owned or subscribed (or no longer for sale): say so and show where purchases are.
      return alertBox("info", `${err.message}.`, " ", h("a", { href: PURCHASES_PATH }, "See your purchases"));
    case "upstream_error":
      return alertBox("error", "The payment service did not answer. Please try again in a moment.");
    default:
      return alertBox("error", describeError(err));
  }
}

/**
 * `/buy/:slug`: where the storefront's Buy button leads a signed-in buyer (the router sends
 * everyone else through login first). One click opens a Stripe Checkout Session and goes there;
 * a page load alone changes nothing, so "back" from Stripe's page lands here safely.
 */
export async function buyItemPage({ params, signal }: PageContext): Promise<Node> {
  const slug = params.slug ?? "";
  const item = await unwrap(publicApi.v1.items[":slug"].$get({ param: { slug } }));
  if (signal.aborted) return h("div");
  if (item.pricing.model === "free") {
    navigate(`/get/${encodeURIComponent(item.slug)}`, { replace: true });
    return h("div");
  }
  const subscription = item.pricing.model !== "one_time";
  const title = subscription ? `Subscribe to ${item.name}` : `Buy ${item.name}`;
  // One key per visit to this page: a double click, or a retry after a lost answer, reopens the
  // same Checkout Session instead of making a second one.
  const idempotencyKey = crypto.randomUUID();
  const result = h("div", { "aria-live": "polite" });
  const promotion = promotionCodeField(item);
  const plans = planChoice(item);
  const button = h(
    "button",
    {
      type: "button",
      class: "button primary",
      onclick: async () => {
        button.disabled = true;
        result.replaceChildren(h("p", { class: "muted", role: "status" }, "Opening the checkout…"));
        try {
          const session = await unwrap(
            api.v1.items[":slug"].checkout.$post({
              param: { slug: item.slug },
              // Another plan or code is another checkout: its own key.
              header: { "idempotency-key": `${idempotencyKey}${plans.interval() ?? ""}${promotion.code() ?? ""}` },
              json: { interval: plans.interval(), promotionCode: promotion.code() },
            }),
          );
          // Stripe's hosted page (or the local emulator's): a full navigation away from the app.
          location.assign(session.url);
        } catch (err) {
          button.disabled = false;
          const problem = asApiError(err);
          if (promotion.showError(problem)) result.replaceChildren();
          else result.replaceChildren(checkoutProblem(problem, item));
        }
      },
    },
    "Continue to payment",
  );
  return narrowPage(
    title,
    h("p", { class: "muted" }, item.summary),
    h(
      "p",
      { class: "price-line" },
      h("strong", {}, formatPrice(item.pricing)),
      subscription ? " · cancel any time, access lasts to the end of the paid period" : " · one-time purchase",
    ),
    h("p", {}, `Sold by ${item.orgName}. You pay on Stripe's secure checkout page and come back here afterwards.`),
    plans.element,
    promotion.element,
    button,
    result,
    // The storefront's pages (rendered by the Worker): plain links, full page loads.
    h(
      "p",
      { class: "muted", "data-testid": "terms-note" },
      "By buying you agree to the ",
      h("a", { href: LEGAL_PAGES.terms.path }, "Terms"),
      " and the ",
      h("a", { href: LEGAL_PAGES.license.path }, "License Agreement"),
      " (unless the author gives their own license); see the ",
      h("a", { href: LEGAL_PAGES.refunds.path }, "Refund policy"),
      ".",
    ),
    h("p", {}, h("a", { href: storefrontItemUrl(item.slug) }, `Back to ${item.name}`)),
  );
}

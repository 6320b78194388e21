import { api } from "../../api/client";
import { publicApi } from "../../api/public-client";
import { unwrap } from "../../api/unwrap";
import { h } from "../../dom";
import { navigate, type PageContext } from "../../router";
import { alertBox, errorAlert } from "../../ui/alert";
import { narrowPage } from "../../ui/page";
import { storefrontItemUrl } from "../paths";

/**
 * `/get/:slug`: where the storefront's Get button leads. The router has already sent a
 * logged-out visitor through login. Free items are added with one confirming click (a page load
 * alone never changes anything); paid items are bought on `/buy/:slug`.
 */
export async function getItemPage({ params, signal }: PageContext): Promise<Node> {
  const slug = params.slug ?? "";
  const item = await unwrap(publicApi.v1.items[":slug"].$get({ param: { slug } }));
  if (signal.aborted) return h("div");
  if (item.pricing.model !== "free") {
    navigate(`/buy/${encodeURIComponent(item.slug)}`, { replace: true });
    return h("div");
  }
  const back = h("p", {}, h("a", { href: storefrontItemUrl(item.slug) }, `Back to ${item.name}`));

  const result = h("div", { "aria-live": "polite" });
  const button = h(
    "button",
    {
      type: "button",
      class: "button primary",
      onclick: async () => {
        button.disabled = true;
        try {
          await unwrap(api.v1.items[":slug"].get.$post({ param: { slug: item.slug } }));
          button.remove();
          result.replaceChildren(alertBox("success", `${item.name} is in your library.`));
        } catch (err) {
          button.disabled = false;
          result.replaceChildren(errorAlert(err));
        }
      },
    },
    `Get ${item.name}`,
  );
  return narrowPage(
    `Get ${item.name}`,
    h("p", { class: "muted" }, item.summary),
    h("p", {}, "Free. It will be added to your library."),
    button,
    result,
    back,
  );
}

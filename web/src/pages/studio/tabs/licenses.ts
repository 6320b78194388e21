/**
 * The Licenses tab: the item's key policy (prefix, activation limit) and its issued keys, searched
 * by the key's last group or the buyer's e-mail, each opened to see its installations and to
 * suspend, reinstate, reset or revoke it. Keys are stored hashed, so nobody sees more than the
 * last group. Members see it all read-only.
 */
import { z } from "zod";
import { type ItemLicenseT, LicensePolicyBody, type LicensePolicyT } from "../../../../../shared/licenses";
import { api } from "../../../api/client";
import { unwrap } from "../../../api/unwrap";
import { h, replace } from "../../../dom";
import { formatDate } from "../../../format";
import { errorAlert } from "../../../ui/alert";
import { formAlert, formValue, handleSubmit, submitButton, textField } from "../../../ui/form";
import { licenseStatusBadge } from "../../../ui/license-status";
import { section } from "../../../ui/page";
import { row } from "../../../ui/table";
import { toast } from "../../../ui/toast";
import { licenseKeyPanel } from "../license-key-panel";
import type { StudioTab, StudioTabContext } from "../tabs";

const KEYS_PAGE_SIZE = 25;

/** The form's strings, checked like the API checks them. */
const PolicyForm = LicensePolicyBody.extend({
  maxActivations: z.coerce.number<string>().int("enter a whole number").min(1).max(1000),
});

function policyForm(ctx: StudioTabContext, policy: LicensePolicyT): HTMLFormElement {
  const { orgId, item, canEdit } = ctx;
  const form = h(
    "form",
    { class: "stack", "aria-label": "Key policy" },
    h(
      "fieldset",
      { class: "stack license-policy-fields", disabled: !canEdit },
      h("legend", { class: "visually-hidden" }, "Key policy"),
      textField({
        name: "prefix",
        label: "Key prefix",
        value: policy.prefix,
        required: true,
        minlength: 4,
        maxlength: 4,
        hint: "4 letters or digits that start every key, e.g. GENX-7K3M-Q9TB-2WXR.",
      }),
      textField({
        name: "maxActivations",
        label: "Activations per key",
        type: "number",
        value: String(policy.maxActivations),
        required: true,
        min: 1,
        max: 1000,
        hint: "How many installations one key may be activated on at once.",
      }),
    ),
    h(
      "p",
      { class: "hint" },
      policy.custom ? "" : "These are the defaults. ",
      "A change applies to keys issued from now on; keys sold before keep what their buyers bought.",
    ),
    formAlert(),
    canEdit && submitButton("Save policy"),
  );
  handleSubmit(form, {
    schema: PolicyForm,
    read: (f) => ({ prefix: formValue(f, "prefix"), maxActivations: formValue(f, "maxActivations") }),
    submit: async (body) => {
      const saved = await unwrap(
        api.v1.orgs[":orgId"].items[":itemId"]["license-policy"].$put({ param: { orgId, itemId: item.id }, json: body }),
      );
      toast(`New keys start with ${saved.prefix} and activate on up to ${saved.maxActivations} installations.`);
    },
  });
  return form;
}

/** The issued keys: a search, a table a page at a time, and the chosen key's panel. */
function issuedKeys(ctx: StudioTabContext): { node: HTMLElement; load: () => Promise<void> } {
  const { orgId, item, signal } = ctx;
  const tbody = h("tbody");
  const status = h("div", { class: "load-more" });
  const loadMore = h("button", { type: "button", class: "button" }, "Load more");
  let cursor: string | undefined;
  let query = "";
  const rows = new Map<string, HTMLTableRowElement>();

  const keyRow = (license: ItemLicenseT) =>
    row(
      { "data-license-id": license.id },
      h("code", { class: "license-key" }, license.key),
      h("span", { class: "wrap-anywhere" }, license.buyerEmail),
      licenseStatusBadge(license.status),
      `${license.activationCount} of ${license.maxActivations}`,
      h("span", { class: "nowrap" }, formatDate(license.createdAt)),
      h(
        "button",
        { type: "button", class: "button small", "aria-label": `Manage ${license.key}`, onclick: () => keyPanel.show(license.id) },
        "Manage",
      ),
    );
  const keyPanel = licenseKeyPanel({
    orgId,
    itemId: item.id,
    canEdit: ctx.canEdit,
    onChange: (license) => {
      const fresh = keyRow(license);
      rows.get(license.id)?.replaceWith(fresh);
      rows.set(license.id, fresh);
    },
  });

  const loadPage = async () => {
    loadMore.disabled = true;
    try {
      const page = await unwrap(
        api.v1.orgs[":orgId"].items[":itemId"].licenses.$get({
          param: { orgId, itemId: item.id },
          query: { limit: String(KEYS_PAGE_SIZE), ...(query && { q: query }), ...(cursor && { cursor }) },
        }),
      );
      if (signal.aborted) return;
      for (const license of page.data) {
        const tr = keyRow(license);
        rows.set(license.id, tr);
        tbody.append(tr);
      }
      cursor = page.nextCursor ?? undefined;
      const none = query ? `No key matches “${query}”.` : "No keys issued yet: each sale or subscription issues one.";
      replace(status, cursor ? loadMore : h("p", { class: "muted" }, tbody.childElementCount === 0 ? none : "That is every key."));
    } catch (err) {
      replace(status, errorAlert(err), loadMore);
    } finally {
      loadMore.disabled = false;
    }
  };
  const reload = async () => {
    cursor = undefined;
    rows.clear();
    tbody.replaceChildren();
    keyPanel.clear();
    await loadPage();
  };
  loadMore.addEventListener("click", loadPage);

  const search = h(
    "form",
    { role: "search", "aria-label": "Search keys", class: "inline-form" },
    textField({
      name: "q",
      label: "Search keys",
      type: "search",
      maxlength: 254,
      hint: "The key's last group (e.g. 2WXR, as the buyer reads it out) or the buyer's e-mail.",
    }),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button" }, "Search")),
  );
  search.addEventListener("submit", (event) => {
    event.preventDefault();
    query = formValue(search, "q").trim();
    void reload();
  });

  const table = h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden" }, `License keys of ${item.name}`),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Key", "Buyer", "Status", "Activations", "Issued", ""].map((t) => h("th", { scope: "col" }, t)),
        ),
      ),
      tbody,
    ),
  );
  return { node: section("Issued keys", search, table, status, keyPanel.panel), load: reload };
}

export const licensesTab: StudioTab = {
  id: "licenses",
  label: "Licenses",
  async render(ctx) {
    const { orgId, item } = ctx;
    const keys = issuedKeys(ctx);
    const [policy] = await Promise.all([
      unwrap(api.v1.orgs[":orgId"].items[":itemId"]["license-policy"].$get({ param: { orgId, itemId: item.id } })),
      keys.load(),
    ]);
    return h("div", { class: "stack" }, section("Key policy", policyForm(ctx, policy)), keys.node);
  },
};

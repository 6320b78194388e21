/**
 * The Credits tab of a metered item: find a subscriber by e-mail, see their prepaid balance, and
 * grant them credits (a pack sold elsewhere, a goodwill gesture), which pay for their usage before
 * anything is billed. Members look up balances; admins grant.
 */
import { z } from "zod";
import { CreditGrantBody, CreditHolderQuery, type CreditHolderT } from "../../../../../shared/payments";
import { api } from "../../../api/client";
import { unwrap } from "../../../api/unwrap";
import { h, replace } from "../../../dom";
import { alertBox } from "../../../ui/alert";
import { formAlert, formValue, handleSubmit, submitButton, textField } from "../../../ui/form";
import { section } from "../../../ui/page";
import { factList } from "../../../ui/status-list";
import { toast } from "../../../ui/toast";
import { quantityOf } from "../../../ui/usage-quantity";
import type { StudioTab, StudioTabContext } from "../tabs";

const GrantForm = CreditGrantBody.pick({ amount: true, reason: true }).extend({
  amount: z.coerce.number<string>().int("enter a whole number").min(1).max(1_000_000_000),
});

/** The buyer found, their balance, and (for admins) the grant form. */
function holderCard(ctx: StudioTabContext, unit: string, found: CreditHolderT): HTMLElement {
  const balance = h("span", { "data-testid": "credit-balance" }, quantityOf(found.balance, unit));
  const card = h(
    "article",
    { class: "card stack", "aria-label": `Credits of ${found.email}` },
    factList([
      ["Buyer", h("span", { class: "wrap-anywhere" }, found.email)],
      ["Balance", balance],
    ]),
  );
  if (!ctx.canEdit) {
    card.append(h("p", { class: "muted" }, "Only admins and owners can grant credits."));
    return card;
  }
  // One reference per form: a grant resubmitted after a lost answer is made once.
  let reference = crypto.randomUUID();
  const form = h(
    "form",
    { class: "stack", "aria-label": "Grant credits" },
    textField({ name: "amount", label: `Credits to grant (one per ${unit})`, type: "number", min: 1, required: true }),
    textField({ name: "reason", label: "Reason", required: true, maxlength: 500, hint: "Kept in the audit log." }),
    formAlert(),
    submitButton("Grant credits"),
  );
  handleSubmit(form, {
    schema: GrantForm,
    read: (f) => ({ amount: formValue(f, "amount"), reason: formValue(f, "reason") }),
    submit: async ({ amount, reason }) => {
      const now = await unwrap(
        api.v1.orgs[":orgId"].items[":itemId"].credits.$post({
          param: { orgId: ctx.orgId, itemId: ctx.item.id },
          json: { userId: found.userId, amount, reason, reference },
        }),
      );
      reference = crypto.randomUUID();
      form.reset();
      replace(balance, quantityOf(now.balance, unit));
      toast(`Granted ${quantityOf(amount, unit)} to ${found.email}.`);
    },
  });
  card.append(form);
  return card;
}

function lookupForm(ctx: StudioTabContext, unit: string): HTMLElement {
  const result = h("div");
  const form = h(
    "form",
    { class: "stack", "aria-label": "Find a buyer" },
    textField({
      name: "email",
      label: "Buyer's e-mail",
      type: "email",
      required: true,
      autocomplete: "off",
      hint: "Someone who subscribes to this item or already holds its credits.",
    }),
    formAlert(),
    submitButton("Find"),
  );
  handleSubmit(form, {
    schema: CreditHolderQuery,
    read: (f) => ({ email: formValue(f, "email") }),
    submit: async (query) => {
      result.replaceChildren();
      const found = await unwrap(
        api.v1.orgs[":orgId"].items[":itemId"].credits.$get({ param: { orgId: ctx.orgId, itemId: ctx.item.id }, query }),
      );
      replace(result, holderCard(ctx, unit, found));
    },
  });
  return h("div", { class: "stack" }, form, result);
}

export const creditsTab: StudioTab = {
  id: "credits",
  label: "Credits",
  render(ctx) {
    const { pricing } = ctx.item;
    if (pricing.model !== "metered")
      return section(
        "Credits",
        alertBox(
          "info",
          "Credits pay for usage, so they are for items priced by usage. Set this item's pricing to metered in Details to use them.",
        ),
      );
    return section(
      "Credits",
      h(
        "p",
        { class: "muted" },
        `Prepaid credits pay for a subscriber's ${pricing.unit}s before anything is billed: one credit per ${pricing.unit}.`,
      ),
      lookupForm(ctx, pricing.unit),
    );
  },
};

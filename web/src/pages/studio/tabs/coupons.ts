/**
 * The Coupons tab of a paid one-time or subscription item: codes for a percent or an amount off
 * (for a subscription: its first invoice, its first months' or every one), with an optional limit
 * of redemptions and an expiry date; each row shows how often it was used and can be deactivated. Buyers enter a code on the buy page. Members see the codes; admins manage them.
 */
import { COUPON_DURATIONS, CouponBody, type CouponT } from "../../../../../shared/coupons";
import { parseAmount } from "../../../../../shared/money";
import { api } from "../../../api/client";
import { asApiError } from "../../../api/errors";
import { unwrap } from "../../../api/unwrap";
import { h, replace } from "../../../dom";
import { formatDate, formatMoney } from "../../../format";
import { alertBox, errorAlert } from "../../../ui/alert";
import { formAlert, formValue, handleSubmit, selectField, submitButton, textField } from "../../../ui/form";
import { describeError } from "../../../ui/messages";
import { section } from "../../../ui/page";
import { dataTable, row } from "../../../ui/table";
import { toast } from "../../../ui/toast";
import type { StudioTab, StudioTabContext } from "../tabs";

/** "20 % off", "$5.00 off for 3 months", "10 % off every invoice". */
const discountText = (coupon: CouponT) =>
  (coupon.percentOff !== null ? `${coupon.percentOff} % off` : `${formatMoney(coupon.amountOff ?? 0, coupon.currency)} off`) +
  (coupon.duration === "repeating" ? ` for ${coupon.durationInMonths} months` : coupon.duration === "forever" ? " every invoice" : "");

/** Why a code is not accepted now, in a word; "Active" when it is. */
function couponState(coupon: CouponT): string {
  if (!coupon.active) return "Inactive";
  if (coupon.expiresAt !== null && coupon.expiresAt <= Date.now()) return "Expired";
  if (coupon.maxRedemptions !== null && coupon.timesRedeemed >= coupon.maxRedemptions) return "Used up";
  return "Active";
}

/** A typed number, or NaN (refused by the schema) when it is not one; undefined when left empty. */
const numberOrEmpty = (text: string) => (text.trim() === "" ? undefined : Number(text));

/** For a subscription: which invoices the code discounts. */
const durationFields = () => [
  selectField({ name: "duration", label: "Discounts", options: COUPON_DURATIONS, value: "once" }),
  textField({
    name: "durationInMonths",
    label: "Months (when repeating)",
    type: "number",
    min: 1,
    max: 36,
    hint: "once: the first invoice · repeating: the invoices of the first months · forever: every invoice.",
  }),
];

function createForm(ctx: StudioTabContext, currency: string, onCreated: () => Promise<void>): HTMLFormElement {
  const subscription = ctx.item.pricing.model === "subscription";
  const expires = textField({ name: "expiresAt", label: "Expires after", hint: "The last day buyers can use it (UTC)." });
  expires.querySelector("input")!.type = "date";
  const form = h(
    "form",
    { class: "stack", "aria-label": "New code" },
    textField({
      name: "code",
      label: "Code",
      required: true,
      minlength: 3,
      maxlength: 40,
      autocomplete: "off",
      hint: "What buyers type, e.g. LAUNCH20: letters, digits, - and _, in any case.",
    }),
    textField({ name: "percentOff", label: "Percent off", type: "number", min: 1, max: 99, hint: "Either a percent…" }),
    textField({ name: "amountOff", label: `Amount off (${currency.toUpperCase()})`, hint: "…or an amount, e.g. 5.00." }),
    subscription && durationFields(),
    textField({ name: "maxRedemptions", label: "Times it can be used", type: "number", min: 1 }),
    expires,
    formAlert(),
    submitButton("Create code"),
  );
  handleSubmit(form, {
    schema: CouponBody,
    read: (f) => {
      const amount = formValue(f, "amountOff").trim();
      const expiresOn = formValue(f, "expiresAt");
      return {
        code: formValue(f, "code"),
        percentOff: numberOrEmpty(formValue(f, "percentOff")),
        amountOff: amount === "" ? undefined : (parseAmount(amount, currency) ?? Number.NaN),
        ...(subscription && {
          duration: formValue(f, "duration"),
          durationInMonths: numberOrEmpty(formValue(f, "durationInMonths")),
        }),
        maxRedemptions: numberOrEmpty(formValue(f, "maxRedemptions")),
        // The whole of the chosen day counts.
        expiresAt: expiresOn ? Date.parse(`${expiresOn}T23:59:59.999Z`) : undefined,
      };
    },
    submit: async (body) => {
      const coupon = await unwrap(
        api.v1.orgs[":orgId"].items[":itemId"].coupons.$post({ param: { orgId: ctx.orgId, itemId: ctx.item.id }, json: body }),
      );
      form.reset();
      toast(`Code ${coupon.code} created: ${discountText(coupon)}.`);
      await onCreated();
    },
  });
  return form;
}

function couponRow(ctx: StudioTabContext, coupon: CouponT, onChange: () => Promise<void>) {
  const state = couponState(coupon);
  const deactivate = h(
    "button",
    {
      type: "button",
      class: "button small danger",
      "aria-label": `Deactivate ${coupon.code}`,
      onclick: async () => {
        deactivate.disabled = true;
        try {
          await unwrap(
            api.v1.orgs[":orgId"].items[":itemId"].coupons[":couponId"].deactivate.$post({
              param: { orgId: ctx.orgId, itemId: ctx.item.id, couponId: coupon.id },
            }),
          );
          toast(`Code ${coupon.code} no longer works.`);
          await onChange();
        } catch (err) {
          deactivate.disabled = false;
          toast(describeError(asApiError(err)), "error");
        }
      },
    },
    "Deactivate",
  );
  return row(
    { "data-coupon-code": coupon.code },
    h("code", {}, coupon.code),
    discountText(coupon),
    coupon.maxRedemptions === null ? `${coupon.timesRedeemed}` : `${coupon.timesRedeemed} of ${coupon.maxRedemptions}`,
    coupon.expiresAt === null ? "—" : formatDate(coupon.expiresAt),
    h("span", { class: `badge coupon-${state.toLowerCase().replace(" ", "-")}` }, state),
    ctx.canEdit && coupon.active ? deactivate : "",
  );
}

export const couponsTab: StudioTab = {
  id: "coupons",
  label: "Coupons",
  async render(ctx) {
    const { orgId, item } = ctx;
    const { pricing } = item;
    if (pricing.model === "free" || pricing.model === "metered")
      return section(
        "Coupons",
        alertBox("info", "Coupons take a percent or an amount off a one-time price or a subscription's invoices; this item has neither."),
      );
    const list = h("div");
    const load = async () => {
      try {
        const coupons = await unwrap(api.v1.orgs[":orgId"].items[":itemId"].coupons.$get({ param: { orgId, itemId: item.id } }));
        if (ctx.signal.aborted) return;
        replace(
          list,
          dataTable({
            caption: `Coupon codes of ${item.name}`,
            headers: ["Code", "Discount", "Used", "Expires", "Status", ""],
            rows: coupons.data.map((coupon) => couponRow(ctx, coupon, load)),
            empty: "No codes yet.",
          }),
        );
      } catch (err) {
        replace(list, errorAlert(err));
      }
    };
    await load();
    return h(
      "div",
      { class: "stack" },
      section(
        "Coupons",
        h("p", { class: "muted" }, "Buyers enter a code on the buy page. Your share and Plaza's fee are taken from the discounted price."),
        list,
      ),
      ctx.canEdit
        ? section("New code", createForm(ctx, pricing.currency, load))
        : h("p", { class: "muted" }, "Only admins and owners manage codes."),
    );
  },
};

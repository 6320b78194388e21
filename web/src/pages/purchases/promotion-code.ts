/**
 * The buy page's "Have a code?" field: a coupon code the author gave out, sent with the checkout.
 * Plaza checks it before Stripe's page opens; a refused code is explained under the field.
 */
import type { ItemT } from "../../../../shared/catalog";
import type { ApiError } from "../../api/errors";
import { textField } from "../../ui/form";
import { sentence } from "../../ui/messages";

export function promotionCodeField(item: ItemT) {
  // Codes take a percent or an amount off a price: usage-priced items have none up front.
  if (item.pricing.model === "free" || item.pricing.model === "metered")
    return { element: "", code: () => undefined, showError: () => false };
  const element = textField({
    name: "promotionCode",
    label: "Have a code?",
    maxlength: 40,
    autocomplete: "off",
    hint: "The discount shows on the payment page.",
  });
  const input = element.querySelector("input")!;
  const slot = element.querySelector<HTMLElement>('[data-error-for="promotionCode"]')!;
  const clear = () => {
    slot.hidden = true;
    input.removeAttribute("aria-invalid");
  };
  input.addEventListener("input", clear);
  return {
    element,
    code: () => input.value.trim() || undefined,
    /** Shows the API's refusal of the code under the field; false when the error is about something else. */
    showError(err: ApiError): boolean {
      const messages = err.fields.promotionCode;
      if (!messages) return false;
      slot.textContent = messages.map(sentence).join(". ");
      slot.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return true;
    },
  };
}

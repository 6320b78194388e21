/** "New item": slug, name, summary, category and pricing; creates a draft and opens its Details tab. */
import { CreateItemBody } from "../../../../shared/catalog";
import type { PlatformFee } from "../../../../shared/fees";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h } from "../../dom";
import { navigate } from "../../router";
import { formAlert, formValue, handleSubmit, submitButton, textField } from "../../ui/form";
import { toast } from "../../ui/toast";
import { studioItemPath } from "../paths";
import { categoryField, nameField, SLUG_RULE, summaryField } from "./item-fields";
import { PricingInput, pricingField, readPricing } from "./pricing-field";

const NewItemForm = CreateItemBody.extend({ pricing: PricingInput });

export function newItemForm(orgId: string, fee: PlatformFee | null, onCancel: () => void): HTMLFormElement {
  const form = h(
    "form",
    { class: "stack", "aria-label": "New item" },
    textField({
      name: "slug",
      label: "Slug",
      required: true,
      minlength: 2,
      maxlength: 50,
      autocomplete: "off",
      placeholder: "my-plugin",
      hint: SLUG_RULE,
    }),
    nameField(),
    summaryField(),
    categoryField(),
    pricingField({ model: "free" }, fee),
    formAlert(),
    submitButton("Create draft", h("button", { type: "button", class: "button", onclick: onCancel }, "Cancel")),
  );
  handleSubmit(form, {
    schema: NewItemForm,
    read: (f) => ({
      slug: formValue(f, "slug").trim(),
      name: formValue(f, "name"),
      summary: formValue(f, "summary"),
      category: formValue(f, "category"),
      pricing: readPricing(f),
    }),
    submit: async (body) => {
      const item = await unwrap(api.v1.orgs[":orgId"].items.$post({ param: { orgId }, json: body }));
      toast(`Draft "${item.name}" created.`);
      navigate(studioItemPath(item.id, "details"));
    },
  });
  return form;
}

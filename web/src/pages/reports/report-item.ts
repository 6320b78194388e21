/**
 * `/report/:slug`: a signed-in person tells the platform operators what is wrong with an item (the
 * storefront's item page links here). One open report per person and item; the operators see it in
 * their moderation queue.
 */
import { ItemReportBody, type ItemReportBodyT } from "../../../../shared/operator";
import { api } from "../../api/client";
import { publicApi } from "../../api/public-client";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import type { PageContext } from "../../router";
import { alertBox } from "../../ui/alert";
import { formAlert, formValue, handleSubmit, selectField, submitButton } from "../../ui/form";
import { narrowPage } from "../../ui/page";
import { storefrontItemUrl } from "../paths";
import { textareaField, textareaValue } from "../reviews/fields";
import { REPORT_REASON_LABELS } from "./reasons";

export async function reportItemPage({ params }: PageContext): Promise<Node> {
  const slug = params.slug ?? "";
  const item = await unwrap(publicApi.v1.items[":slug"].$get({ param: { slug } }));
  const back = h("p", {}, h("a", { href: storefrontItemUrl(item.slug) }, `Back to ${item.name}`));
  const body = h("div", { class: "stack" });
  const reasons = Object.entries(REPORT_REASON_LABELS).map(([value, label]) => ({ value, label }));
  const form = h(
    "form",
    { class: "stack", "aria-label": "Report this item" },
    selectField({ name: "reason", label: "What is wrong?", options: reasons, value: "spam" }),
    textareaField({
      name: "details",
      label: "Details",
      maxlength: 2000,
      rows: 5,
      hint: "What you saw and where, so the operators can check it.",
    }),
    formAlert(),
    submitButton("Send report"),
  );
  handleSubmit(form, {
    schema: ItemReportBody,
    read: (f) => ({ reason: formValue(f, "reason") as ItemReportBodyT["reason"], details: textareaValue(f, "details") }),
    submit: async (report) => {
      await unwrap(api.v1.items[":slug"].report.$post({ param: { slug }, json: report }));
      replace(
        body,
        alertBox("success", `Thank you. The operators review reported items and unlist ${item.name} if it breaks the rules.`),
        back,
      );
    },
  });
  replace(
    body,
    h("p", { class: "muted" }, `Report ${item.name} by ${item.orgName} to Plaza's operators. The author is not told who reported it.`),
    form,
    back,
  );
  return narrowPage(`Report ${item.name}`, body);
}

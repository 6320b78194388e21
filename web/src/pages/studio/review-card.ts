/**
 * One review in the studio's Reviews tab: the buyer's stars and text, whether the rating counts,
 * the org's one public reply (admins post it, then edit it) and "Report to operator" (admins, once).
 */
import type { ItemT } from "../../../../shared/catalog";
import { ReplyBody } from "../../../../shared/catalog";
import { type OrgReviewT, ReportReviewBody } from "../../../../shared/reviews";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import { formatDate } from "../../format";
import { formAlert, formValue, handleSubmit, submitButton, textField } from "../../ui/form";
import { toast } from "../../ui/toast";
import { starsText, textareaField, textareaValue } from "../reviews/fields";

export interface ReviewCardContext {
  orgId: string;
  item: ItemT;
  canEdit: boolean;
}

export function reviewCard(ctx: ReviewCardContext, initial: OrgReviewT): HTMLElement {
  let review = initial;
  const card = h("article", { class: "card review-card", "aria-label": `Review by ${review.userName}`, "data-review-id": review.id });
  const param = { orgId: ctx.orgId, itemId: ctx.item.id, reviewId: review.id };

  const cancelButton = () => h("button", { type: "button", class: "button", onclick: () => render() }, "Cancel");

  const replyForm = () => {
    const form = h(
      "form",
      { "aria-label": review.reply ? "Edit your reply" : "Reply" },
      textareaField({
        name: "body",
        label: review.reply ? "Edit your public reply" : "Public reply",
        value: review.reply?.body,
        maxlength: 5000,
        rows: 4,
        required: true,
        hint: `Shown under the review on the storefront as a reply from ${ctx.item.orgName}.`,
      }),
      formAlert(),
      submitButton(review.reply ? "Save reply" : "Post reply", review.reply && cancelButton()),
    );
    handleSubmit(form, {
      schema: ReplyBody,
      read: (f) => ({ body: textareaValue(f, "body") }),
      submit: async (value) => {
        const saved = await unwrap(api.v1.orgs[":orgId"].items[":itemId"].reviews[":reviewId"].reply.$put({ param, json: value }));
        toast(review.reply ? "Reply updated." : "Reply posted.");
        review = { ...review, reply: saved.reply };
        render();
      },
    });
    return form;
  };

  const reportForm = () => {
    const form = h(
      "form",
      { "aria-label": "Report to operator" },
      textField({
        name: "reason",
        label: "Why should the operators look at this review?",
        required: true,
        maxlength: 1000,
        hint: "For example spam, abuse, or a review of another product. The buyer is not told; operators decide.",
      }),
      formAlert(),
      submitButton("Send report", cancelButton()),
    );
    handleSubmit(form, {
      schema: ReportReviewBody,
      read: (f) => ({ reason: formValue(f, "reason") }),
      submit: async (value) => {
        const report = await unwrap(api.v1.orgs[":orgId"].items[":itemId"].reviews[":reviewId"].report.$post({ param, json: value }));
        toast("Reported to the operators.");
        review = { ...review, report };
        render();
      },
    });
    return form;
  };

  const replyView = () => {
    const reply = review.reply;
    if (!reply) return ctx.canEdit ? replyForm() : h("p", { class: "muted" }, "No reply yet.");
    return h(
      "div",
      { class: "review-reply", "data-testid": "reply" },
      h("p", { class: "muted" }, `Reply from ${ctx.item.orgName} · ${formatDate(reply.createdAt)}${reply.editedAt ? " (edited)" : ""}`),
      h("p", {}, reply.body),
      ctx.canEdit && h("button", { type: "button", class: "button small", onclick: () => showForm(replyForm()) }, "Edit reply"),
    );
  };

  const reportView = () => {
    if (review.report)
      return h(
        "p",
        { class: "review-report", "data-testid": "report" },
        h("span", { class: "badge" }, "Reported"),
        ` to the operators on ${formatDate(review.report.createdAt)}: ${review.report.reason}`,
      );
    return (
      ctx.canEdit && h("button", { type: "button", class: "button small", onclick: () => showForm(reportForm()) }, "Report to operator")
    );
  };

  /** One form open at a time in the card; Cancel or success renders the card again. */
  const showForm = (form: HTMLFormElement) => {
    render(form);
    form.querySelector<HTMLElement>("textarea, input")?.focus();
  };

  function render(openForm?: HTMLFormElement) {
    replace(
      card,
      h(
        "header",
        { class: "review-head" },
        starsText(review.rating),
        review.title && h("strong", {}, ` ${review.title}`),
        !review.counted &&
          h(
            "span",
            { class: "badge", title: "The buyer's access ended (a refund or an ended subscription): the rating is not in the average." },
            "Not counted",
          ),
      ),
      review.body && h("p", { class: "review-body" }, review.body),
      h(
        "p",
        { class: "muted" },
        `${review.userName} · ${formatDate(review.createdAt)}${review.updatedAt > review.createdAt ? " (edited)" : ""}`,
      ),
      openForm ?? [replyView(), reportView()],
    );
  }
  render();
  return card;
}

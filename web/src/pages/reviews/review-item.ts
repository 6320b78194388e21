/**
 * `/review/:slug`: a buyer writes, edits or deletes their review of an item (stars and text), with
 * the rules in view. Someone who may not review is told why before they type; the server's 403
 * says the same if their access ends while the page is open.
 *
 * What they type is kept on the device as a draft (offline/drafts.ts) until it reaches Plaza, and
 * publishing goes through the mutation queue: offline, the review waits and is sent once online.
 */
import { z } from "zod";
import type { ItemT, ReviewT } from "../../../../shared/catalog";
import type { MyReviewT } from "../../../../shared/reviews";
import { api } from "../../api/client";
import { asApiError } from "../../api/errors";
import { publicApi } from "../../api/public-client";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import { formatDate } from "../../format";
import { deleteDraft, loadDraft, saveDraft } from "../../offline/drafts";
import { mutationQueue } from "../../offline/queue";
import type { PageContext } from "../../router";
import { cachedMe } from "../../state/me";
import { alertBox, errorAlert } from "../../ui/alert";
import { formAlert, formValue, handleSubmit, showErrors, submitButton, textField } from "../../ui/form";
import { describeError } from "../../ui/messages";
import { narrowPage } from "../../ui/page";
import { saveStatus } from "../../ui/save-status";
import { PURCHASES_PATH, storefrontItemUrl } from "../paths";
import { checkedStars, starsField, starsText, textareaField, textareaValue } from "./fields";

/** The API's ReviewBody, with the messages a person reads beside the fields. */
const ReviewForm = z.object({
  rating: z.number({ error: "choose from 1 to 5 stars" }).int().min(1).max(5),
  title: z.string().trim().max(120),
  body: z.string().trim().max(5000),
});

/** The form as typed, kept as the draft. */
interface ReviewDraft {
  rating?: number;
  title: string;
  body: string;
}

function rules(item: ItemT): HTMLElement {
  return h(
    "ul",
    { class: "review-rules", "aria-label": "Who can review" },
    h("li", {}, "Only buyers whose access is active can review: a purchase, a subscription or a free install (not a gift from Plaza)."),
    h("li", {}, "One review per buyer. You can edit or delete it at any time."),
    h("li", {}, `A refund or an ended subscription takes your rating out of ${item.name}'s average.`),
    h("li", {}, `Your review shows on the storefront with your name; ${item.orgName} may reply to it.`),
  );
}

/** Why this visitor cannot review, and what would let them. */
function cannotReview(item: ItemT): HTMLElement {
  const how = item.pricing.model === "free" ? "Get it (it is free)" : item.pricing.model === "one_time" ? "Buy it" : "Subscribe";
  return alertBox(
    "info",
    h("p", {}, h("strong", {}, `You can't review ${item.name} yet. `), "Only buyers whose access is active can write a review."),
    h("p", {}, h("a", { href: storefrontItemUrl(item.slug) }, `${how} on the storefront`), ", then come back here."),
  );
}

function authorReply(item: ItemT, review: ReviewT): HTMLElement | null {
  if (!review.reply) return null;
  return h(
    "div",
    { class: "review-reply", "data-testid": "author-reply" },
    h(
      "p",
      { class: "muted" },
      `Reply from ${item.orgName} · ${formatDate(review.reply.createdAt)}${review.reply.editedAt ? " (edited)" : ""}`,
    ),
    h("p", {}, review.reply.body),
  );
}

export async function reviewItemPage({ params, signal }: PageContext): Promise<Node> {
  const slug = params.slug ?? "";
  const [item, initial] = await Promise.all([
    unwrap(publicApi.v1.items[":slug"].$get({ param: { slug } })),
    unwrap(api.v1.items[":slug"].reviews.mine.$get({ param: { slug } })),
  ]);
  // The page's route is for signed-in people only.
  const userId = cachedMe()?.user.id ?? "";
  const queue = mutationQueue(userId);
  const scope = `review:${slug}`;
  const status = saveStatus({ queue, scope, signal });
  let draft = (await loadDraft<ReviewDraft>(userId, scope))?.value;
  let state: MyReviewT = initial;
  const published = (review: ReviewT | null) =>
    alertBox(
      "success",
      review ? "Saved. " : "Published. ",
      h("a", { href: storefrontItemUrl(item.slug) }, "See it on the storefront"),
      " (it can take a moment to show).",
    );
  // The review reached Plaza (now, or sent from the queue after a reload): the draft has done its job.
  const stop = queue.onApplied((entry, saved) => {
    if (entry.scope !== scope || !saved) return;
    draft = undefined;
    void deleteDraft(userId, scope);
    const before = state.review;
    render({ ...state, review: saved as ReviewT }, published(before));
  });
  signal.addEventListener("abort", stop, { once: true });
  const body = h("div", { class: "stack" });
  const back = h(
    "p",
    {},
    h("a", { href: storefrontItemUrl(item.slug) }, `Back to ${item.name}`),
    " · ",
    h("a", { href: PURCHASES_PATH }, "Your purchases"),
  );

  const render = (next: MyReviewT, notice?: Node) => {
    if (signal.aborted) return;
    state = next;
    const { review, canReview } = next;
    const shown = draft ?? review;
    if (!review && !canReview) {
      replace(body, notice, cannotReview(item));
      return;
    }
    const form = h(
      "form",
      { "aria-label": review ? "Edit your review" : "Write a review" },
      starsField({ name: "rating", legend: "Your rating", value: shown?.rating }),
      textField({ name: "title", label: "Title", maxlength: 120, value: shown?.title, autocomplete: "off" }),
      textareaField({
        name: "body",
        label: "Your review",
        maxlength: 5000,
        rows: 6,
        value: shown?.body,
        hint: "What works, what doesn't.",
      }),
      formAlert(),
      submitButton(review ? "Save changes" : "Publish review", review && deleteButton()),
    );
    handleSubmit(form, {
      schema: ReviewForm,
      read: (f) => ({ rating: checkedStars(f, "rating"), title: formValue(f, "title"), body: textareaValue(f, "body") }),
      // Rendered again by the queue's onApplied above once it reached Plaza.
      submit: async (value) => {
        const reviews = api.v1.items[":slug"].reviews;
        const path = review ? reviews.mine.$url({ param: { slug } }) : reviews.$url({ param: { slug } });
        const outcome = await queue.enqueue({
          scope,
          label: review ? "Saving your review" : "Publishing your review",
          method: review ? "PATCH" : "POST",
          path: path.pathname,
          body: value,
        });
        if (!outcome.applied)
          replace(draftNotice, alertBox("info", "Saved on this device: your review is sent when Plaza can be reached."));
      },
      // A 403 here means access ended while the page was open: show why, as on arrival.
      onError: (err) => {
        if (err.code !== "forbidden") return false;
        showErrors(form, describeError(err));
        form.after(cannotReview(item));
        return true;
      },
    });

    function deleteButton() {
      const button = h(
        "button",
        {
          type: "button",
          class: "button danger",
          onclick: async () => {
            if (!confirm(`Delete your review of ${item.name}? Its rating leaves the average.`)) return;
            button.disabled = true;
            try {
              await unwrap(api.v1.items[":slug"].reviews.mine.$delete({ param: { slug } }));
              render({ review: null, canReview }, alertBox("success", "Your review is deleted."));
            } catch (err) {
              button.disabled = false;
              showErrors(form, describeError(asApiError(err)));
            }
          },
        },
        "Delete review",
      );
      return button;
    }

    // Every change is kept as the draft, so nothing typed is lost to a reload or a lost connection.
    form.addEventListener("input", () => {
      draft = { rating: checkedStars(form, "rating"), title: formValue(form, "title"), body: textareaValue(form, "body") };
      void saveDraft(userId, scope, draft);
    });
    const draftNotice = h("div", {});
    if (draft)
      replace(
        draftNotice,
        alertBox(
          "info",
          "Your draft from this device, not yet published, is restored. ",
          h(
            "button",
            {
              type: "button",
              class: "button small",
              onclick: () => {
                draft = undefined;
                void deleteDraft(userId, scope);
                render(state);
              },
            },
            "Discard draft",
          ),
        ),
      );
    replace(
      body,
      notice,
      draftNotice,
      review && !canReview
        ? alertBox(
            "info",
            "Your access to this item has ended (a refund or an ended subscription), so your rating no longer counts in its average. You can still edit or delete your review.",
          )
        : null,
      form,
      review && authorReply(item, review),
    );
  };

  try {
    render(initial);
  } catch (err) {
    replace(body, errorAlert(err));
  }
  return narrowPage(
    initial.review ? `Edit your review of ${item.name}` : `Review ${item.name}`,
    h("p", { class: "muted" }, `by ${item.orgName}`, " · ", starsLine(item)),
    status.element,
    rules(item),
    body,
    back,
  );
}

function starsLine(item: ItemT): Node {
  if (item.ratingAverage === null || item.reviewCount === 0) return document.createTextNode("No reviews yet");
  return h(
    "span",
    {},
    starsText(Math.round(item.ratingAverage)),
    ` ${item.ratingAverage.toFixed(1)} (${item.reviewCount} review${item.reviewCount === 1 ? "" : "s"})`,
  );
}

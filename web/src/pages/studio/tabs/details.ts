/**
 * The Details tab: the item's slug (fixed, with the squatting rule), name, summary, Markdown
 * description with the storefront's own preview, category, tags and pricing (with what the author
 * receives after the platform fee); and its status: publish, unlist, back to draft. Members see it
 * all read-only.
 */
import { z } from "zod";
import { type AuthorItemT, type ItemT, UpdateItemBody } from "../../../../../shared/catalog";
import { api } from "../../../api/client";
import { unwrap } from "../../../api/unwrap";
import { h } from "../../../dom";
import { alertBox } from "../../../ui/alert";
import { formAlert, formValue, handleAction, handleSubmit, submitButton, textField } from "../../../ui/form";
import { section } from "../../../ui/page";
import { toast } from "../../../ui/toast";
import { categoryField, descriptionField, descriptionValue, nameField, readTags, SLUG_RULE, summaryField, tagsField } from "../item-fields";
import { loadPlatformFee } from "../platform-fee";
import { PricingInput, pricingField, readPricing } from "../pricing-field";
import type { StudioTab, StudioTabContext } from "../tabs";

const DetailsForm = UpdateItemBody.omit({ status: true }).extend({ pricing: PricingInput });
const StatusChange = z.object({ status: UpdateItemBody.shape.status.unwrap() });
type Settable = z.infer<typeof StatusChange>["status"];

const STATUS_HELP: Record<ItemT["status"], string> = {
  draft: "A draft is seen only by the org. Publishing lists it on the storefront and in search.",
  published:
    "Listed on the storefront and in search. Unlisting keeps it installable by direct link, unsearched; a draft is hidden from everyone outside the org.",
  unlisted: "Not listed or searchable, but its page and installs work by direct link.",
  removed: "Not on the storefront or in search, and its details can't be edited.",
};

/** The buttons each status offers, in order. */
const STATUS_ACTIONS: Record<ItemT["status"], readonly [Settable, string][]> = {
  draft: [["published", "Publish"]],
  published: [
    ["unlisted", "Unlist"],
    ["draft", "Back to draft"],
  ],
  unlisted: [
    ["published", "Publish"],
    ["draft", "Back to draft"],
  ],
  removed: [],
};

function slugField(slug: string): HTMLElement {
  const field = textField({ name: "slug", label: "Slug", value: slug, required: true, hint: SLUG_RULE });
  field.querySelector("input")?.setAttribute("readonly", "");
  return field;
}

function detailsForm(ctx: StudioTabContext, fee: Awaited<ReturnType<typeof loadPlatformFee>>): HTMLFormElement {
  const { item, orgId, canEdit } = ctx;
  const fields = h(
    "fieldset",
    { class: "stack plain-fieldset", disabled: !canEdit || item.status === "removed" },
    h("legend", { class: "visually-hidden" }, "Details"),
    slugField(item.slug),
    nameField(item.name),
    summaryField(item.summary),
    descriptionField(item.description),
    categoryField(item.category),
    tagsField(item.tags),
    pricingField(item.pricing, fee),
  );
  const form = h(
    "form",
    { class: "stack", "aria-label": "Item details" },
    fields,
    formAlert(),
    canEdit && item.status !== "removed" && submitButton("Save changes"),
  );
  handleSubmit(form, {
    schema: DetailsForm,
    read: (f) => ({
      name: formValue(f, "name"),
      summary: formValue(f, "summary"),
      description: descriptionValue(f),
      category: formValue(f, "category"),
      tags: readTags(f),
      pricing: readPricing(f),
    }),
    submit: async (body) => {
      await unwrap(api.v1.orgs[":orgId"].items[":itemId"].$patch({ param: { orgId, itemId: item.id }, json: body }));
      toast("Details saved.");
      await ctx.reload();
    },
  });
  return form;
}

/** What the version rule has to go on: the newest version per channel, or that there is none. */
function versionsNote({ latestVersions: v }: AuthorItemT): string {
  const newest = [v.stable && `${v.stable} (stable)`, v.beta && `${v.beta} (beta)`].filter(Boolean);
  return newest.length > 0 ? `Newest: ${newest.join(", ")}.` : "This item has none yet.";
}

function moderationNote(studio: AuthorItemT) {
  if (!studio.moderationReason) return null;
  const what = studio.status === "removed" ? "removed this item from Plaza" : "unlisted this item";
  return alertBox(
    "error",
    h("p", {}, `An operator ${what}: `, h("strong", {}, studio.moderationReason)),
    h("p", {}, "Its status can't be changed until an operator restores it."),
  );
}

function statusForm(ctx: StudioTabContext, studio: AuthorItemT): HTMLFormElement {
  const { item, orgId, canEdit } = ctx;
  // An operator's unlisting or removal stands until an operator lifts it (the API refuses status changes).
  const actions = canEdit && !studio.moderationReason ? STATUS_ACTIONS[item.status] : [];
  const form = h(
    "form",
    { class: "stack", "aria-label": "Status" },
    moderationNote(studio),
    h("p", {}, STATUS_HELP[item.status]),
    item.status !== "published" &&
      item.status !== "removed" &&
      h(
        "p",
        { class: "hint" },
        "Publishing needs a version: buyers must have something to install, so publish one in the Versions tab first. ",
        versionsNote(studio),
      ),
    h("p", { class: "field-error", "data-error-for": "status", hidden: true }),
    formAlert(),
    actions.length > 0 &&
      h(
        "div",
        { class: "form-actions" },
        actions.map(([status, label]) =>
          h("button", { type: "button", class: status === "published" ? "button primary" : "button", "data-status": status }, label),
        ),
      ),
  );
  for (const button of form.querySelectorAll<HTMLButtonElement>("button[data-status]")) {
    handleAction(form, button, {
      schema: StatusChange,
      read: () => ({ status: button.dataset.status }),
      submit: async ({ status }) => {
        const updated = await unwrap(
          api.v1.orgs[":orgId"].items[":itemId"].$patch({ param: { orgId, itemId: item.id }, json: { status } }),
        );
        toast(updated.status === "published" ? "Published: it is on the storefront." : `Status changed to ${updated.status}.`);
        await ctx.reload();
      },
    });
  }
  return form;
}

/** A status change reloads the tab, which would drop unsaved edits: until they are saved, the status buttons wait. */
function holdStatusWhileEditing(status: HTMLFormElement, details: HTMLFormElement): void {
  const buttons = [...status.querySelectorAll<HTMLButtonElement>("button[data-status]")];
  if (buttons.length === 0) return;
  const hold = () => {
    if (status.querySelector(".unsaved-note")) return;
    for (const b of buttons) b.disabled = true;
    buttons[0]?.parentElement?.before(
      h("p", { class: "hint unsaved-note" }, "You have unsaved changes below: save them before changing the status."),
    );
  };
  details.addEventListener("input", hold);
  details.addEventListener("change", hold);
}

export const detailsTab: StudioTab = {
  id: "details",
  label: "Details",
  async render(ctx) {
    const [studio, fee] = await Promise.all([
      unwrap(api.v1.orgs[":orgId"].studio.items[":itemId"].$get({ param: { orgId: ctx.orgId, itemId: ctx.item.id } })),
      loadPlatformFee(),
    ]);
    const status = statusForm(ctx, studio);
    const details = detailsForm(ctx, fee);
    holdStatusWhileEditing(status, details);
    return h(
      "div",
      { class: "stack" },
      !ctx.canEdit &&
        alertBox("info", h("p", {}, "You are a member of this org: you can see the item's details; admins and owners edit them.")),
      section("Status", status),
      section("Details", details),
    );
  },
};

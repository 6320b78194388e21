/** The fields of an item that the New item form and the Details tab share, and how the form reads them. */
import { CATEGORIES, type ItemT } from "../../../../shared/catalog";
import { renderMarkdown } from "../../../../shared/markdown";
import { h, uniqueId } from "../../dom";
import { formValue, selectField, textField } from "../../ui/form";

/** Slugs are global and checked against name squatting (catalog's slug-squatting.ts), which authors should know before choosing. */
export const SLUG_RULE =
  "Lowercase letters, digits and inner hyphens; the item's address on the storefront (/items/your-slug), fixed once the item exists. " +
  "Slugs are unique across Plaza, and one that is a single letter away (added, removed or changed) from another org's published item is refused, so nobody can pass for another author's item.";

export const nameField = (value?: string) =>
  textField({ name: "name", label: "Name", required: true, maxlength: 80, value, autocomplete: "off" });
export const summaryField = (value?: string) =>
  textField({
    name: "summary",
    label: "Summary",
    maxlength: 200,
    value,
    autocomplete: "off",
    hint: "One line under the name in search results.",
  });
export const categoryField = (value?: ItemT["category"]) =>
  selectField({ name: "category", label: "Category", options: CATEGORIES, value });

/** The Markdown description beside a live preview, rendered by the storefront's own renderer (shared/markdown.ts). */
export function descriptionField(value: string): HTMLDivElement {
  const id = uniqueId("field-description");
  const preview = h("div", { class: "markdown markdown-preview", "data-testid": "description-preview" });
  const textarea = h(
    "textarea",
    { id, name: "description", rows: 14, maxlength: 50_000, class: "mono", "aria-describedby": `${id}-hint ${id}-error` },
    value,
  );
  const render = () => {
    // Safe to inline: micromark escapes raw HTML and unsafe URLs (see shared/markdown.ts), as on the storefront.
    preview.innerHTML = textarea.value.trim() ? renderMarkdown(textarea.value, { headingOffset: 2 }) : "";
    if (!textarea.value.trim()) preview.append(h("p", { class: "empty" }, "The preview shows here as you type."));
  };
  textarea.addEventListener("input", render);
  render();
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, "Description", h("span", { class: "optional" }, " (Markdown)")),
    h(
      "p",
      { id: `${id}-hint`, class: "hint" },
      "Shown on the item's storefront page. Headings, lists, links, tables and code blocks work; HTML does not.",
    ),
    h(
      "div",
      { class: "description-editor" },
      textarea,
      h("section", { class: "description-preview", "aria-label": "Preview" }, h("p", { class: "preview-label" }, "Preview"), preview),
    ),
    h("p", { id: `${id}-error`, class: "field-error", "data-error-for": "description", hidden: true }),
  );
}

export const tagsField = (tags: string[]) =>
  textField({
    name: "tags",
    label: "Tags",
    value: tags.join(", "),
    autocomplete: "off",
    hint: "Up to 10, separated by commas: lowercase letters, digits and hyphens (e.g. markdown, export).",
  });

/** "a, b ,, c" → ["a", "b", "c"]; the API lowercases and checks each. */
export const readTags = (form: HTMLFormElement) =>
  formValue(form, "tags")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);

export const descriptionValue = (form: HTMLFormElement) =>
  (form.elements.namedItem("description") as HTMLTextAreaElement | null)?.value ?? "";

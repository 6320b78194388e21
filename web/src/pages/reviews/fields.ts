/**
 * Review form fields and how a review reads: the star rating as five radio buttons (a keyboard
 * and screen-reader friendly rating), a multi-line text field, and the stars shown as text.
 */
import { h, uniqueId } from "../../dom";

/** Five radios sharing `name`; its error slot is found by that name, like every field's. */
export function starsField(o: { name: string; legend: string; value?: number }): HTMLFieldSetElement {
  const errorId = uniqueId(`field-${o.name}-error`);
  return h(
    "fieldset",
    { class: "field stars-field", "aria-describedby": errorId },
    h("legend", {}, o.legend),
    h(
      "div",
      { class: "stars-options" },
      [1, 2, 3, 4, 5].map((n) =>
        h(
          "label",
          { class: "star-option" },
          h("input", { type: "radio", name: o.name, value: String(n), checked: n === o.value }),
          h("span", { "aria-hidden": "true" }, "★".repeat(n)),
          h("span", { class: "visually-hidden" }, `${n} star${n === 1 ? "" : "s"}`),
        ),
      ),
    ),
    h("p", { id: errorId, class: "field-error", "data-error-for": o.name, hidden: true }),
  );
}

/** The checked star count, or undefined when none is chosen (the schema then says it is required). */
export function checkedStars(form: HTMLFormElement, name: string): number | undefined {
  const checked = form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`);
  return checked ? Number(checked.value) : undefined;
}

export function textareaField(o: {
  name: string;
  label: string;
  value?: string;
  maxlength: number;
  rows?: number;
  required?: boolean;
  hint?: string;
}): HTMLDivElement {
  const id = uniqueId(`field-${o.name}`);
  const hintId = o.hint ? `${id}-hint` : undefined;
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, o.label, !o.required && h("span", { class: "optional" }, " (optional)")),
    h(
      "textarea",
      {
        id,
        name: o.name,
        rows: o.rows ?? 5,
        maxlength: o.maxlength,
        required: o.required,
        "aria-describedby": [hintId, `${id}-error`].filter(Boolean).join(" "),
      },
      o.value ?? "",
    ),
    o.hint && h("p", { id: hintId, class: "hint" }, o.hint),
    h("p", { id: `${id}-error`, class: "field-error", "data-error-for": o.name, hidden: true }),
  );
}

export const textareaValue = (form: HTMLFormElement, name: string) => {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLTextAreaElement ? el.value : "";
};

/** "★★★★☆" for the eye, "4 out of 5 stars" for screen readers. */
export function starsText(rating: number): HTMLSpanElement {
  return h(
    "span",
    { class: "stars" },
    h("span", { "aria-hidden": "true" }, "★".repeat(rating) + "☆".repeat(5 - rating)),
    h("span", { class: "visually-hidden" }, `${rating} out of 5 stars`),
  );
}

/**
 * Form building blocks: labelled fields with a hint and an error slot, and `handleSubmit`, which
 * validates with the shared zod schema, shows per-field errors (client- or server-side) next to
 * the fields, and keeps the submit button busy while the request runs.
 */
import type { z } from "zod";
import { type ApiError, asApiError } from "../api/errors";
import { type Child, h, uniqueId } from "../dom";
import { describeError, sentence } from "./messages";

export interface FieldOptions {
  name: string;
  label: string;
  type?: "text" | "email" | "password" | "number" | "search";
  value?: string;
  required?: boolean;
  autocomplete?: string;
  hint?: string;
  minlength?: number;
  maxlength?: number;
  min?: number;
  max?: number;
  placeholder?: string;
}

/** Error slots are found by field name, so server `fields` (`body.email`) land next to their input. */
function errorSlot(name: string, id: string): HTMLParagraphElement {
  return h("p", { id, class: "field-error", "data-error-for": name, hidden: true });
}

export function textField(o: FieldOptions): HTMLDivElement {
  const id = uniqueId(`field-${o.name}`);
  const hintId = o.hint ? `${id}-hint` : undefined;
  const errorId = `${id}-error`;
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, o.label, !o.required && h("span", { class: "optional" }, " (optional)")),
    h("input", {
      id,
      name: o.name,
      type: o.type ?? "text",
      value: o.value,
      required: o.required,
      autocomplete: o.autocomplete,
      minlength: o.minlength,
      maxlength: o.maxlength,
      min: o.min,
      max: o.max,
      placeholder: o.placeholder,
      "aria-describedby": [hintId, errorId].filter(Boolean).join(" "),
    }),
    o.hint && h("p", { id: hintId, class: "hint" }, o.hint),
    errorSlot(o.name, errorId),
  );
}

/** An option is its own label, or a value with a label to read ("spam" → "Spam or misleading"). */
export type SelectOption = string | { value: string; label: string };

export function selectField(o: { name: string; label: string; options: readonly SelectOption[]; value?: string }): HTMLDivElement {
  const id = uniqueId(`field-${o.name}`);
  const options = o.options.map((opt) => (typeof opt === "string" ? { value: opt, label: opt } : opt));
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, o.label),
    h(
      "select",
      { id, name: o.name, "aria-describedby": `${id}-error` },
      options.map((opt) => h("option", { value: opt.value, selected: opt.value === o.value }, opt.label)),
    ),
    errorSlot(o.name, `${id}-error`),
  );
}

/** A group of checkboxes sharing one name, e.g. token scopes. */
export function checkboxGroup(o: {
  name: string;
  legend: string;
  options: readonly { value: string; label: string; checked?: boolean }[];
}): HTMLFieldSetElement {
  const errorId = uniqueId(`field-${o.name}-error`);
  return h(
    "fieldset",
    { class: "field checkbox-group", "aria-describedby": errorId },
    h("legend", {}, o.legend),
    o.options.map((opt) =>
      h(
        "label",
        { class: "checkbox" },
        h("input", { type: "checkbox", name: o.name, value: opt.value, checked: opt.checked }),
        h("span", {}, opt.label),
      ),
    ),
    errorSlot(o.name, errorId),
  );
}

export function submitButton(label: string, ...extra: Child[]): HTMLDivElement {
  return h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button primary" }, label), ...extra);
}

/** The form-level message area, placed just above the buttons. */
export function formAlert(): HTMLDivElement {
  return h("div", { class: "form-alert", "data-form-alert": true, role: "alert", hidden: true });
}

export function clearErrors(form: HTMLFormElement): void {
  for (const slot of form.querySelectorAll<HTMLElement>("[data-error-for]")) {
    slot.hidden = true;
    slot.textContent = "";
  }
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  const alert = form.querySelector<HTMLElement>("[data-form-alert]");
  if (alert) {
    alert.hidden = true;
    alert.replaceChildren();
  }
}

/** Shows field messages next to their fields and the rest in the form alert; focuses the first bad field. */
export function showErrors(form: HTMLFormElement, message: string | Node, fields: Record<string, string[]> = {}): void {
  clearErrors(form);
  const unplaced: string[] = [];
  let first: HTMLElement | null = null;
  for (const [name, messages] of Object.entries(fields)) {
    const slot = form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(name)}"]`);
    if (!slot) {
      unplaced.push(...messages.map((m) => `${name}: ${m}`));
      continue;
    }
    slot.textContent = messages.map(sentence).join(". ");
    slot.hidden = false;
    for (const input of form.querySelectorAll<HTMLElement>(`[name="${CSS.escape(name)}"]`)) {
      input.setAttribute("aria-invalid", "true");
      first ??= input;
    }
  }
  const alert = form.querySelector<HTMLElement>("[data-form-alert]");
  if (alert) {
    alert.replaceChildren();
    alert.append(typeof message === "string" ? h("p", {}, message) : message, ...unplaced.map((m) => h("p", {}, m)));
    alert.hidden = false;
  }
  first?.focus();
}

/** Zod's default wording is for developers; these two cases are common enough to say plainly. */
function friendlyIssue(form: HTMLFormElement, name: string, issue: z.core.$ZodIssue): string {
  const input = form.elements.namedItem(name);
  if (input instanceof HTMLInputElement && input.required && input.value.trim() === "") return "is required";
  if (issue.code === "too_small" && issue.origin === "array") return `choose at least ${issue.minimum}`;
  return issue.message;
}

/** Zod issues keyed like the server's `fields`, so both render the same way. */
function issuesToFields(form: HTMLFormElement, error: z.ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const name = String(issue.path[0] ?? "");
    fields[name] = [...(fields[name] ?? []), friendlyIssue(form, name, issue)];
  }
  return fields;
}

export interface SubmitOptions<S extends z.ZodType> {
  /** Validated before sending; its messages match the server's. */
  schema: S;
  read: (form: HTMLFormElement) => unknown;
  submit: (value: z.infer<S>) => Promise<void>;
  /** Handle a failure yourself (e.g. offer "resend"); return true when handled. */
  onError?: (err: ApiError) => boolean;
}

/** Validates, sends and reports one action of `form`; `trigger` is kept busy with the submit buttons. */
async function runAction<S extends z.ZodType>(form: HTMLFormElement, o: SubmitOptions<S>, trigger?: HTMLButtonElement): Promise<void> {
  if (form.getAttribute("aria-busy") === "true") return;
  clearErrors(form);
  const parsed = o.schema.safeParse(o.read(form));
  if (!parsed.success) {
    showErrors(form, "Please correct the fields marked below.", issuesToFields(form, parsed.error));
    return;
  }
  const buttons = [...form.querySelectorAll<HTMLButtonElement>("button[type=submit]"), ...(trigger ? [trigger] : [])];
  form.setAttribute("aria-busy", "true");
  for (const b of buttons) b.disabled = true;
  try {
    await o.submit(parsed.data);
  } catch (caught) {
    const err = asApiError(caught);
    if (!o.onError?.(err)) showErrors(form, describeError(err), err.fields);
  } finally {
    form.removeAttribute("aria-busy");
    for (const b of buttons) b.disabled = false;
  }
}

export function handleSubmit<S extends z.ZodType>(form: HTMLFormElement, o: SubmitOptions<S>): void {
  form.noValidate = true; // our messages, next to the fields, instead of browser bubbles
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void runAction(form, o);
  });
}

/**
 * A second action of a form (a `type="button"`, e.g. "E-mail me a sign-in link" beside "Log in"):
 * validated with its own schema, its errors shown in the same places as the submit's.
 */
export function handleAction<S extends z.ZodType>(form: HTMLFormElement, button: HTMLButtonElement, o: SubmitOptions<S>): void {
  button.addEventListener("click", () => void runAction(form, o, button));
}

export const formValue = (form: HTMLFormElement, name: string) => {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLInputElement || el instanceof HTMLSelectElement ? el.value : "";
};

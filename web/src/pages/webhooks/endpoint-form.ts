/**
 * The fields of a webhook endpoint, shared by "Add endpoint" and the endpoint's edit form: URL,
 * description, event types (with "All events"), rate limit and, when editing, enabled.
 */
import { z } from "zod";
import { WEBHOOK_EVENT_TYPES, WEBHOOK_EVENTS } from "../../../../shared/webhook-events";
import type { WebhookEndpointT } from "../../../../shared/webhooks";
import { EventTypes } from "../../../../shared/webhooks";
import { h, uniqueId } from "../../dom";
import { checkboxGroup, formValue, textField } from "../../ui/form";

const rateLimit = z
  .string()
  .trim()
  .refine((s) => s === "" || /^\d+$/.test(s), "enter a whole number")
  .transform((s) => (s === "" ? null : Number(s)))
  .refine((n) => n === null || (n >= 1 && n <= 1000), "must be between 1 and 1000");

/** What the form reads, validated before it is sent (the server checks the URL itself). */
export const EndpointFormSchema = z.object({
  url: z.string().trim().min(1, "is required").max(2000),
  description: z.string().trim().max(500),
  eventTypes: EventTypes,
  rateLimit,
  enabled: z.boolean(),
});

export function endpointFields(current?: WebhookEndpointT): HTMLElement[] {
  const all = current ? current.eventTypes === null : true;
  const chosen = new Set(current?.eventTypes ?? []);
  const allId = uniqueId("all-events");
  const types = checkboxGroup({
    name: "eventTypes",
    legend: "Event types",
    options: WEBHOOK_EVENT_TYPES.map((type) => ({
      value: type,
      label: `${type} — ${WEBHOOK_EVENTS[type].description}`,
      checked: chosen.has(type),
    })),
  });
  const allEvents = h("input", { id: allId, type: "checkbox", name: "allEvents", checked: all });
  const sync = () => {
    for (const box of types.querySelectorAll<HTMLInputElement>('input[name="eventTypes"]')) box.disabled = allEvents.checked;
  };
  allEvents.addEventListener("change", sync);
  types
    .querySelector("legend")
    ?.after(
      h(
        "label",
        { class: "checkbox", for: allId },
        allEvents,
        h("span", {}, h("strong", {}, "All events"), ", including types added later"),
      ),
    );
  sync();
  return [
    textField({
      name: "url",
      label: "URL",
      required: true,
      maxlength: 2000,
      value: current?.url,
      autocomplete: "off",
      placeholder: "https://example.com/webhooks/plaza",
      hint: "Plaza POSTs each event here, signed (Standard Webhooks).",
    }),
    textField({ name: "description", label: "Description", maxlength: 500, value: current?.description, autocomplete: "off" }),
    types,
    textField({
      name: "rateLimit",
      label: "Rate limit (deliveries per second)",
      type: "number",
      min: 1,
      max: 1000,
      value: current?.rateLimit?.toString(),
      hint: "1–1000. Leave empty for no limit.",
    }),
  ];
}

/** The enabled switch of the edit form. */
export function enabledField(enabled: boolean): HTMLElement {
  return h(
    "label",
    { class: "checkbox" },
    h("input", { type: "checkbox", name: "enabled", checked: enabled }),
    h("span", {}, "Enabled: deliver events to this endpoint"),
  );
}

const checked = (form: HTMLFormElement, name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.checked ?? false;

export function readEndpointForm(form: HTMLFormElement, { enabledDefault = true } = {}) {
  const enabledBox = form.elements.namedItem("enabled");
  return {
    url: formValue(form, "url"),
    description: formValue(form, "description"),
    eventTypes: checked(form, "allEvents")
      ? null
      : [...form.querySelectorAll<HTMLInputElement>('input[name="eventTypes"]:checked')].map((c) => c.value),
    rateLimit: formValue(form, "rateLimit"),
    enabled: enabledBox instanceof HTMLInputElement ? enabledBox.checked : enabledDefault,
  };
}

/** Small pieces of the webhook pages: endpoint state, event types, delivery states and attempts. */

import type { z } from "zod";
import type { WebhookAttempt, WebhookDelivery, WebhookEndpointT } from "../../../../shared/webhooks";
import { h } from "../../dom";
import { formatDateTime } from "../../format";
import { alertBox } from "../../ui/alert";
import { dataTable, row } from "../../ui/table";

export type AttemptT = z.infer<typeof WebhookAttempt>;
export type DeliveryT = z.infer<typeof WebhookDelivery>;

export const eventTypesCell = (types: string[] | null) =>
  types === null
    ? "All events"
    : h(
        "ul",
        { class: "chips" },
        types.map((t) => h("li", {}, t)),
      );

export const rateLimitText = (limit: number | null) => (limit === null ? "No limit" : `${limit}/s`);

export function endpointStatus(endpoint: WebhookEndpointT): HTMLElement {
  if (endpoint.enabled) return h("span", { class: "badge status-active" }, "Enabled");
  return h(
    "span",
    { class: "endpoint-disabled" },
    h("span", { class: "badge status-revoked" }, "Disabled"),
    endpoint.disabledReason && h("strong", { class: "disabled-reason" }, ` by Plaza: ${endpoint.disabledReason}`),
  );
}

/** At the top of an endpoint's page: why nothing is delivered, and what to do about it. */
export function disabledNotice(endpoint: WebhookEndpointT): HTMLElement | null {
  if (endpoint.enabled) return null;
  if (endpoint.disabledReason)
    return alertBox(
      "error",
      h("p", {}, h("strong", {}, "Plaza disabled this endpoint: "), endpoint.disabledReason),
      h("p", {}, "Fix the receiver, enable the endpoint below, then recover the messages it missed."),
    );
  return alertBox("info", h("p", {}, "This endpoint is disabled: no events are delivered to it until you enable it."));
}

const DELIVERY_LABELS: Record<DeliveryT["status"], string> = {
  pending: "Pending",
  delivered: "Delivered",
  failed: "Failed",
  skipped: "Skipped",
};
/** Skipped is neither good nor bad news: the plain badge. */
const DELIVERY_BADGES: Record<DeliveryT["status"], string> = {
  pending: "badge status-past_due",
  delivered: "badge status-active",
  failed: "badge status-revoked",
  skipped: "badge",
};
const SKIPPED_HINT = "Not sent: the endpoint was disabled. Enable it, then recover the messages it missed.";

/** A status this build does not know (an app cached from before the API added it) shows as it is. */
export const deliveryBadge = (status: DeliveryT["status"]) =>
  h(
    "span",
    { class: DELIVERY_BADGES[status] ?? "badge", title: status === "skipped" ? SKIPPED_HINT : undefined },
    DELIVERY_LABELS[status] ?? status,
  );

/** "200", "500" or the error (timeout, DNS, refused). */
export function attemptResult(a: Pick<AttemptT, "statusCode" | "error">): HTMLElement {
  const ok = a.statusCode !== null && a.statusCode >= 200 && a.statusCode < 300;
  if (a.statusCode !== null)
    return h("span", { class: `badge ${ok ? "status-active" : "status-revoked"}`, "data-status-code": a.statusCode }, String(a.statusCode));
  return h("span", { class: "attempt-error" }, a.error ?? "No answer");
}

/** An expandable block of text: a response body or a payload. */
export const expandable = (summary: string, text: string) =>
  h("details", { class: "expandable" }, h("summary", {}, summary), h("pre", { class: "mono" }, text));

export function attemptRow(a: AttemptT): HTMLTableRowElement {
  return row(
    { "data-attempt-id": a.id, "data-event-id": a.eventId },
    h("span", { class: "nowrap" }, formatDateTime(a.createdAt)),
    h("code", {}, a.eventId),
    `#${a.attempt}`,
    h("span", {}, attemptResult(a), a.statusCode !== null && a.error && h("span", { class: "attempt-error" }, ` ${a.error}`)),
    h("span", { class: "nowrap" }, `${a.latencyMs} ms`),
    a.response ? expandable("Response", a.response) : h("span", { class: "muted" }, "—"),
  );
}

export const ATTEMPT_HEADERS = ["Time", "Event", "Attempt", "Result", "Latency", "Response body"];

export const attemptsTable = (caption: string, attempts: AttemptT[]) =>
  dataTable({ caption, headers: ATTEMPT_HEADERS, rows: attempts.map(attemptRow), empty: "No delivery attempts yet." });

/**
 * The org's recent webhook messages: type, time and each endpoint's delivery state, with the
 * payload and the attempts of a message on demand, and Resend per (message, endpoint).
 */
import type { z } from "zod";
import type { WebhookEndpointT, WebhookMessage } from "../../../../shared/webhooks";
import { api } from "../../api/client";
import { asApiError } from "../../api/errors";
import { unwrap } from "../../api/unwrap";
import { h, uniqueId } from "../../dom";
import { formatDateTime } from "../../format";
import { errorAlert } from "../../ui/alert";
import { describeError } from "../../ui/messages";
import { toast } from "../../ui/toast";
import { webhookEndpointPath } from "../paths";
import { type AttemptT, attemptResult, attemptsTable, type DeliveryT, deliveryBadge } from "./display";

type MessageT = z.infer<typeof WebhookMessage>;
const PAGE_SIZE = 20;

function deliveryItem(
  orgId: string,
  message: MessageT,
  d: DeliveryT,
  endpoints: Map<string, WebhookEndpointT>,
  reload: () => Promise<void>,
): HTMLElement {
  const endpoint = endpoints.get(d.endpointId);
  const label = endpoint?.url ?? d.endpointId;
  const error = h("p", { class: "row-error", role: "alert", hidden: true });
  const resend = h(
    "button",
    {
      type: "button",
      class: "button small",
      "aria-label": `Resend ${message.id} to ${label}`,
      onclick: async () => {
        resend.disabled = true;
        error.hidden = true;
        try {
          await unwrap(
            api.v1.orgs[":orgId"].webhooks.messages[":eventId"].endpoints[":endpointId"].resend.$post({
              param: { orgId, eventId: message.id, endpointId: d.endpointId },
            }),
          );
          toast(`${message.type} queued again for ${label}.`);
          await reload();
        } catch (err) {
          error.textContent = describeError(asApiError(err));
          error.hidden = false;
          resend.disabled = false;
        }
      },
    },
    "Resend",
  );
  const last =
    d.lastStatusCode !== null || d.lastError !== null ? attemptResult({ statusCode: d.lastStatusCode, error: d.lastError }) : null;
  return h(
    "li",
    { class: "delivery", "data-endpoint-id": d.endpointId },
    endpoint ? h("a", { href: webhookEndpointPath(d.endpointId), class: "wrap-anywhere" }, label) : h("code", {}, label),
    " ",
    deliveryBadge(d.status),
    h("span", { class: "muted" }, ` ${d.attempts} attempt${d.attempts === 1 ? "" : "s"}`),
    last && [" · last: ", last],
    " ",
    resend,
    error,
  );
}

/** Every attempt of one message: they are few (its endpoints times the retries), so all pages. */
async function allAttempts(orgId: string, eventId: string) {
  const page = (cursor: string | null) =>
    unwrap(
      api.v1.orgs[":orgId"].webhooks.messages[":eventId"].attempts.$get({
        param: { orgId, eventId },
        query: { limit: "100", ...(cursor ? { cursor } : {}) },
      }),
    );
  let next = await page(null);
  const all: AttemptT[] = [...next.data];
  while (next.nextCursor) {
    next = await page(next.nextCursor);
    all.push(...next.data);
  }
  return all;
}

/** A full-width row under the message: payload and attempts, fetched when first opened. */
function messageDetails(orgId: string, message: MessageT): { toggle: HTMLButtonElement; row: HTMLTableRowElement } {
  const id = uniqueId("message-details");
  const attempts = h("div", {}, h("p", { class: "muted", role: "status" }, "Loading attempts…"));
  const detailRow = h(
    "tr",
    { id, class: "message-details", hidden: true },
    h(
      "td",
      { colspan: 4 },
      h("h3", { class: "details-heading" }, "Payload"),
      h("pre", { class: "mono payload", "data-testid": "message-payload" }, JSON.stringify(message.payload, null, 2)),
      h("h3", { class: "details-heading" }, "Attempts"),
      attempts,
    ),
  );
  let loaded = false;
  const toggle = h(
    "button",
    { type: "button", class: "button small", "aria-expanded": "false", "aria-controls": id },
    "Payload and attempts",
  );
  toggle.addEventListener("click", async () => {
    const open = detailRow.hidden;
    detailRow.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (!open || loaded) return;
    loaded = true;
    try {
      attempts.replaceChildren(attemptsTable(`Attempts of ${message.id}`, await allAttempts(orgId, message.id)));
    } catch (err) {
      loaded = false;
      attempts.replaceChildren(errorAlert(err));
    }
  });
  return { toggle, row: detailRow };
}

export function messagesSection(orgId: string, signal: AbortSignal, endpoints: () => WebhookEndpointT[]) {
  const table = h("table", { class: "messages" });
  const status = h("div", { class: "load-more" });
  const loadMore = h("button", { type: "button", class: "button" }, "Load more");
  const refresh = h("button", { type: "button", class: "button small" }, "Refresh");
  let nextCursor: string | null = null;

  /** One <tbody> per message: its row and the details row under it. */
  const messageBody = (m: MessageT) => {
    const byId = new Map(endpoints().map((e) => [e.id, e]));
    const cell = (...children: (Node | string)[]) => h("td", {}, ...children);
    const details = messageDetails(orgId, m);
    return h(
      "tbody",
      { class: "message", "data-event-id": m.id },
      h(
        "tr",
        {},
        cell(h("span", { class: "nowrap" }, formatDateTime(m.createdAt))),
        cell(h("code", {}, m.type), h("br"), h("span", { class: "muted mono" }, m.id)),
        cell(
          m.deliveries.length === 0
            ? h("span", { class: "muted" }, "No endpoint took this type.")
            : h(
                "ul",
                { class: "deliveries" },
                m.deliveries.map((d) => deliveryItem(orgId, m, d, byId, reloadMessages)),
              ),
        ),
        cell(details.toggle),
      ),
      details.row,
    );
  };
  const shownCount = () => table.querySelectorAll("tbody.message").length;

  /** `before`: what must be in place before the page is drawn (the endpoints its deliveries link to). */
  const loadMessages = async (before?: Promise<unknown>) => {
    loadMore.disabled = true;
    try {
      const [page] = await Promise.all([
        unwrap(
          api.v1.orgs[":orgId"].webhooks.messages.$get({
            param: { orgId },
            query: { limit: String(PAGE_SIZE), ...(nextCursor ? { cursor: nextCursor } : {}) },
          }),
        ),
        before,
      ]);
      if (signal.aborted) return;
      table.append(...page.data.map(messageBody));
      nextCursor = page.nextCursor;
      status.replaceChildren(
        nextCursor ? loadMore : h("p", { class: "muted" }, shownCount() === 0 ? "No messages yet." : "That is every message."),
      );
    } catch (err) {
      status.replaceChildren(errorAlert(err), loadMore);
    } finally {
      loadMore.disabled = false;
    }
  };
  async function reloadMessages() {
    nextCursor = null;
    for (const body of table.querySelectorAll("tbody.message")) body.remove();
    await loadMessages();
  }
  loadMore.addEventListener("click", () => loadMessages());
  refresh.addEventListener("click", async () => {
    refresh.disabled = true;
    await reloadMessages();
    refresh.disabled = false;
  });

  table.append(
    h("caption", { class: "visually-hidden" }, "Recent webhook messages"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["Time", "Event", "Deliveries", ""].map((t) => h("th", { scope: "col" }, t)),
      ),
    ),
  );
  return {
    load: loadMessages,
    reload: reloadMessages,
    content: [
      h("div", { class: "actions-row" }, h("p", { class: "muted" }, "Events Plaza sent to your endpoints, newest first."), refresh),
      h("div", { class: "table-wrap" }, table),
      status,
    ],
  };
}

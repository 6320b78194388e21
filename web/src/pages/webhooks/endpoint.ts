/**
 * `/dashboard/webhooks/:endpointId`: one endpoint of the active org. Edit it, rotate its secret
 * (the new one shown once), send a test event, recover failed and skipped messages since a time,
 * delete it, and its attempt log (newest first, "Load more" pages back with the server's `nextCursor`).
 */

import { z } from "zod";
import type { WebhookEndpointT } from "../../../../shared/webhooks";
import { api } from "../../api/client";
import { asApiError } from "../../api/errors";
import { unwrap } from "../../api/unwrap";
import { h, replace, uniqueId } from "../../dom";
import { formatDateTime } from "../../format";
import { navigate, type PageContext } from "../../router";
import { errorAlert } from "../../ui/alert";
import { formAlert, handleSubmit, submitButton } from "../../ui/form";
import { pageHeader, section } from "../../ui/page";
import { secretPanel } from "../../ui/secret";
import { factList } from "../../ui/status-list";
import { toast } from "../../ui/toast";
import { notFoundContent } from "../not-found";
import { WEBHOOKS_PATH } from "../paths";
import { webhooksOrg } from "./access";
import { ATTEMPT_HEADERS, type AttemptT, attemptRow, disabledNotice, endpointStatus, eventTypesCell, rateLimitText } from "./display";
import { EndpointFormSchema, enabledField, endpointFields, readEndpointForm } from "./endpoint-form";

const ATTEMPTS_PAGE_SIZE = 25;
/** After "Send test event", the log is refreshed this often until the attempt shows (or it gives up). */
const WATCH_INTERVAL_MS = 1_000;
const WATCH_ROUNDS = 30;

/** `datetime-local` wants local time without seconds: 2025-03-01T14:05. */
function localInputValue(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const RecoverForm = z.object({
  since: z
    .string()
    .min(1, "is required")
    .transform((s) => new Date(s).getTime())
    .refine((ms) => Number.isFinite(ms), "enter a date and time")
    .refine((ms) => ms <= Date.now(), "must be in the past"),
});

/** A button running one action; failures show in `slot`. */
function actionButton(label: string, slot: HTMLElement, run: () => Promise<void>, className = "button"): HTMLButtonElement {
  const button = h(
    "button",
    {
      type: "button",
      class: className,
      onclick: async () => {
        button.disabled = true;
        slot.replaceChildren();
        try {
          await run();
        } catch (err) {
          slot.replaceChildren(errorAlert(err));
        } finally {
          button.disabled = false;
        }
      },
    },
    label,
  );
  return button;
}

function attemptLog(orgId: string, endpointId: string, signal: AbortSignal) {
  const tbody = h("tbody");
  const status = h("div", { class: "load-more" });
  const loadMore = h("button", { type: "button", class: "button" }, "Load more");
  // The server's cursor names the last row by time and id: rows of one millisecond are not skipped.
  let nextCursor: string | null = null;
  let shown: AttemptT[] = [];

  const fetchPage = (cursor: string | null) =>
    unwrap(
      api.v1.orgs[":orgId"].webhooks.endpoints[":endpointId"].attempts.$get({
        param: { orgId, endpointId },
        query: { limit: String(ATTEMPTS_PAGE_SIZE), ...(cursor ? { cursor } : {}) },
      }),
    );
  const render = (page: AttemptT[], next: string | null, append: boolean) => {
    shown = append ? [...shown, ...page] : page;
    if (!append) tbody.replaceChildren();
    tbody.append(...page.map(attemptRow));
    nextCursor = next;
    status.replaceChildren(
      nextCursor ? loadMore : h("p", { class: "muted" }, shown.length === 0 ? "No delivery attempts yet." : "That is every attempt."),
    );
  };
  const load = async (append: boolean) => {
    loadMore.disabled = true;
    try {
      const { data, nextCursor: next } = await fetchPage(append ? nextCursor : null);
      if (!signal.aborted) render(data, next, append);
    } catch (err) {
      status.replaceChildren(errorAlert(err), loadMore);
    } finally {
      loadMore.disabled = false;
    }
  };
  loadMore.addEventListener("click", () => load(true));

  /** Refreshes the first page until an attempt of `eventId` is in it. */
  const watchFor = async (eventId: string) => {
    for (let round = 0; round < WATCH_ROUNDS && !signal.aborted; round++) {
      await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
      if (signal.aborted) return;
      await load(false);
      if (shown.some((a) => a.eventId === eventId)) return;
    }
  };

  const refresh = h("button", { type: "button", class: "button small", onclick: () => load(false) }, "Refresh");
  const table = h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden" }, "Attempt log"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ATTEMPT_HEADERS.map((t) => h("th", { scope: "col" }, t)),
        ),
      ),
      tbody,
    ),
  );
  return {
    load: () => load(false),
    watchFor,
    content: [
      h("div", { class: "actions-row" }, h("p", { class: "muted" }, "Every delivery attempt, newest first."), refresh),
      table,
      status,
    ],
  };
}

export async function webhookEndpointPage({ params, signal }: PageContext): Promise<Node> {
  const access = webhooksOrg();
  if ("content" in access) return access.content;
  const orgId = access.org.orgId;
  const endpointId = params.endpointId ?? "";

  let endpoint: WebhookEndpointT;
  try {
    endpoint = await unwrap(api.v1.orgs[":orgId"].webhooks.endpoints[":endpointId"].$get({ param: { orgId, endpointId } }));
  } catch (err) {
    const e = asApiError(err);
    if (e.status === 404 || e.status === 400)
      return notFoundContent("Endpoint not found", `${access.org.name} has no such webhook endpoint.`);
    throw e;
  }

  const header = h("div");
  const notice = h("div");
  const facts = h("div");
  const secretSlot = h("div");
  const actionResult = h("div", { role: "status" });
  const log = attemptLog(orgId, endpointId, signal);

  const show = (e: WebhookEndpointT) => {
    endpoint = e;
    replace(header, pageHeader(e.url, h("a", { href: WEBHOOKS_PATH }, "All endpoints"), e.description && ` · ${e.description}`));
    replace(notice, disabledNotice(e));
    replace(
      facts,
      factList([
        ["Status", endpointStatus(e)],
        ["Event types", eventTypesCell(e.eventTypes)],
        ["Rate limit", rateLimitText(e.rateLimit)],
        ["Endpoint ID", h("code", {}, e.id)],
        ["Added", formatDateTime(e.createdAt)],
        ["Changed", formatDateTime(e.updatedAt)],
        ...(e.previousSecretExpiresAt && e.previousSecretExpiresAt > Date.now()
          ? ([["Previous secret", `also signs until ${formatDateTime(e.previousSecretExpiresAt)}`]] as [string, string][])
          : []),
      ]),
    );
  };
  show(endpoint);

  const sendTest = actionButton(
    "Send test event",
    actionResult,
    async () => {
      const { eventId } = await unwrap(
        api.v1.orgs[":orgId"].webhooks.endpoints[":endpointId"].test.$post({ param: { orgId, endpointId } }),
      );
      toast(`Test event ${eventId} queued.`);
      void log.watchFor(eventId);
    },
    "button primary",
  );
  const rotate = actionButton("Rotate secret", actionResult, async () => {
    if (!confirm("Rotate the signing secret? The current one keeps signing deliveries for 24 hours, so you can switch your receiver over."))
      return;
    const rotated = await unwrap(
      api.v1.orgs[":orgId"].webhooks.endpoints[":endpointId"]["rotate-secret"].$post({ param: { orgId, endpointId } }),
    );
    const { secret, ...rest } = rotated;
    show(rest);
    replace(
      secretSlot,
      secretPanel({
        title: "New signing secret.",
        secret,
        label: "The endpoint's new signing secret",
        testId: "webhook-secret",
        onDone: () => secretSlot.replaceChildren(),
        extra: rest.previousSecretExpiresAt
          ? [h("p", {}, `The previous secret also signs deliveries until ${formatDateTime(rest.previousSecretExpiresAt)}.`)]
          : [],
      }),
    );
    secretSlot.querySelector("input")?.focus();
  });
  const remove = actionButton(
    "Delete endpoint",
    actionResult,
    async () => {
      if (!confirm(`Delete ${endpoint.url} and its delivery log? Events are no longer sent to it.`)) return;
      await unwrap(api.v1.orgs[":orgId"].webhooks.endpoints[":endpointId"].$delete({ param: { orgId, endpointId } }));
      toast(`Endpoint ${endpoint.url} deleted.`);
      navigate(WEBHOOKS_PATH);
    },
    "button danger",
  );

  const editForm = h(
    "form",
    { class: "stack", "aria-label": "Edit endpoint" },
    enabledField(endpoint.enabled),
    ...endpointFields(endpoint),
    formAlert(),
    submitButton("Save changes"),
  );
  handleSubmit(editForm, {
    schema: EndpointFormSchema,
    read: (f) => readEndpointForm(f),
    submit: async (body) => {
      const wasEnabled = endpoint.enabled;
      show(await unwrap(api.v1.orgs[":orgId"].webhooks.endpoints[":endpointId"].$patch({ param: { orgId, endpointId }, json: body })));
      toast(!wasEnabled && endpoint.enabled ? "Endpoint enabled. Recover the messages it missed below." : "Endpoint saved.");
    },
  });

  const sinceId = uniqueId("recover-since");
  const recoverForm = h(
    "form",
    { class: "stack", "aria-label": "Recover failed messages" },
    h(
      "div",
      { class: "field" },
      h("label", { for: sinceId }, "Failed since"),
      h("input", {
        id: sinceId,
        name: "since",
        type: "datetime-local",
        required: true,
        value: localInputValue(Date.now() - 86_400_000),
        "aria-describedby": `${sinceId}-hint ${sinceId}-error`,
      }),
      h(
        "p",
        { id: `${sinceId}-hint`, class: "hint" },
        "Every message that failed to reach this endpoint since then, or was skipped while it was disabled, is sent again: one at a time, oldest first.",
      ),
      h("p", { id: `${sinceId}-error`, class: "field-error", "data-error-for": "since", hidden: true }),
    ),
    formAlert(),
    submitButton("Recover failed messages"),
  );
  handleSubmit(recoverForm, {
    schema: RecoverForm,
    read: (f) => ({ since: (f.elements.namedItem("since") as HTMLInputElement).value }),
    submit: async (body) => {
      const { recovered } = await unwrap(
        api.v1.orgs[":orgId"].webhooks.endpoints[":endpointId"].recover.$post({ param: { orgId, endpointId }, json: body }),
      );
      toast(
        recovered === 0
          ? "No failed messages since then."
          : `${recovered} failed or skipped message${recovered === 1 ? "" : "s"} being sent again, oldest first.`,
      );
      if (recovered > 0) void log.load();
    },
  });

  await log.load();
  return h(
    "div",
    { class: "stack" },
    header,
    notice,
    secretSlot,
    section("Endpoint", facts, h("div", { class: "actions-row" }, sendTest, rotate), actionResult),
    section("Attempt log", ...log.content),
    section("Recover failed messages", recoverForm),
    section("Edit endpoint", editForm),
    section("Delete endpoint", h("p", { class: "muted" }, "Deletes the endpoint and its delivery log. This cannot be undone."), remove),
  );
}

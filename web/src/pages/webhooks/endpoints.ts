/**
 * `/dashboard/webhooks`: the active org's webhook endpoints (admins), "Add endpoint" with the
 * signing secret shown once, and the org's recent messages with their deliveries.
 */
import type { WebhookEndpointT } from "../../../../shared/webhooks";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import { formatDateTime } from "../../format";
import type { PageContext } from "../../router";
import { errorAlert } from "../../ui/alert";
import { formAlert, handleSubmit, submitButton } from "../../ui/form";
import { pageHeader, section } from "../../ui/page";
import { secretPanel } from "../../ui/secret";
import { dataTable, row } from "../../ui/table";
import { webhookEndpointPath } from "../paths";
import { webhooksOrg } from "./access";
import { endpointStatus, eventTypesCell, rateLimitText } from "./display";
import { EndpointFormSchema, endpointFields, readEndpointForm } from "./endpoint-form";
import { messagesSection } from "./messages";

function endpointsTable(endpoints: WebhookEndpointT[]): HTMLElement {
  return dataTable({
    caption: "Webhook endpoints",
    headers: ["URL", "Description", "Event types", "Status", "Rate limit", "Added"],
    rows: endpoints.map((e) =>
      row(
        { "data-endpoint-id": e.id },
        h("a", { href: webhookEndpointPath(e.id), class: "wrap-anywhere" }, e.url),
        e.description || h("span", { class: "muted" }, "—"),
        eventTypesCell(e.eventTypes),
        endpointStatus(e),
        rateLimitText(e.rateLimit),
        h("span", { class: "nowrap" }, formatDateTime(e.createdAt)),
      ),
    ),
    empty: "No endpoints yet. Add one below to receive the org's events.",
  });
}

export async function webhooksPage({ signal }: PageContext): Promise<Node> {
  const access = webhooksOrg();
  if ("content" in access) return access.content;
  const { orgId, name } = access.org;

  let endpoints: WebhookEndpointT[] = [];
  const listBody = h("div");
  const secretSlot = h("div");
  const messages = messagesSection(orgId, signal, () => endpoints);

  const loadEndpoints = async () => {
    try {
      const { data } = await unwrap(api.v1.orgs[":orgId"].webhooks.endpoints.$get({ param: { orgId } }));
      if (signal.aborted) return;
      endpoints = data;
      replace(listBody, endpointsTable(data));
    } catch (err) {
      replace(listBody, errorAlert(err));
    }
  };

  const form = h("form", { class: "stack", "aria-label": "Add endpoint" }, ...endpointFields(), formAlert(), submitButton("Add endpoint"));
  handleSubmit(form, {
    schema: EndpointFormSchema,
    read: (f) => readEndpointForm(f),
    submit: async (body) => {
      const created = await unwrap(api.v1.orgs[":orgId"].webhooks.endpoints.$post({ param: { orgId }, json: body }));
      form.reset();
      form.querySelector<HTMLInputElement>('input[name="allEvents"]')?.dispatchEvent(new Event("change"));
      replace(
        secretSlot,
        secretPanel({
          title: `Endpoint ${created.url} added.`,
          secret: created.secret,
          label: "The endpoint's signing secret",
          testId: "webhook-secret",
          onDone: () => secretSlot.replaceChildren(),
          extra: [
            h(
              "p",
              {},
              "Your receiver verifies each delivery's signature with this secret, with any Standard Webhooks library. ",
              h("a", { href: webhookEndpointPath(created.id) }, "Open the endpoint"),
              " to send a test event.",
            ),
          ],
        }),
      );
      secretSlot.querySelector("input")?.focus();
      await loadEndpoints();
    },
  });

  // Both are fetched at once; messages are drawn after the endpoints, whose URLs they link to.
  const endpointsLoaded = loadEndpoints();
  await Promise.all([endpointsLoaded, messages.load(endpointsLoaded)]);
  return h(
    "div",
    { class: "stack" },
    pageHeader(
      `Webhooks · ${name}`,
      "Plaza POSTs the org's events (sales, refunds, licenses, releases…) to your endpoints, signed, and retries failed deliveries.",
    ),
    secretSlot,
    section("Endpoints", listBody),
    section("Add endpoint", form),
    section("Messages", ...messages.content),
  );
}

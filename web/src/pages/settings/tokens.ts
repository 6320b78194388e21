import type { ApiTokenT } from "../../../../shared/api";
import { CreateTokenBody } from "../../../../shared/api";
import { TOKEN_SCOPES, type TokenScope } from "../../../../shared/roles";
import { api } from "../../api/client";
import { revokeToken } from "../../api/no-content";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import { formatDateTime, formatRelative } from "../../format";
import type { PageContext } from "../../router";
import { errorAlert } from "../../ui/alert";
import { checkboxGroup, formAlert, formValue, handleSubmit, submitButton, textField } from "../../ui/form";
import { pageHeader, section } from "../../ui/page";
import { secretPanel } from "../../ui/secret";
import { dataTable, row } from "../../ui/table";
import { toast } from "../../ui/toast";

const SCOPE_LABELS: Record<TokenScope, string> = {
  "profile:read": "profile:read — read your profile and org list",
  "orgs:read": "orgs:read — read orgs, members and invitations",
  "orgs:write": "orgs:write — create and rename orgs, accept invitations",
  "members:write": "members:write — invite, change and remove members",
  "audit:read": "audit:read — read org audit logs",
  "catalog:read": "catalog:read — read catalog items",
  "catalog:write": "catalog:write — publish and edit catalog items",
  "payments:read": "payments:read — orders, subscriptions, earnings",
  "payments:write": "payments:write — checkout, refunds, usage, payouts setup",
  "webhooks:read": "webhooks:read — webhook endpoints and their delivery log",
  "webhooks:write": "webhooks:write — add, change and test webhook endpoints, resend messages",
};

function tokenRow(token: ApiTokenT, reload: () => Promise<void>): HTMLTableRowElement {
  const revoke = h(
    "button",
    {
      type: "button",
      class: "button small danger",
      "aria-label": `Revoke ${token.name}`,
      onclick: async () => {
        if (!confirm(`Revoke “${token.name}”? Scripts using it stop working at once.`)) return;
        revoke.disabled = true;
        try {
          await revokeToken(token.id);
          toast(`Token “${token.name}” revoked.`);
          await reload();
        } catch (err) {
          revoke.disabled = false;
          revoke.after(errorAlert(err));
        }
      },
    },
    "Revoke",
  );
  return row(
    { "data-token-id": token.id },
    token.name,
    h("code", {}, `${token.prefix}…`),
    h(
      "ul",
      { class: "chips" },
      token.scopes.map((s) => h("li", {}, s)),
    ),
    formatDateTime(token.createdAt),
    token.lastUsedAt ? formatRelative(token.lastUsedAt) : "Never",
    token.expiresAt ? formatRelative(token.expiresAt) : "Never",
    revoke,
  );
}

export async function tokensPage({ signal }: PageContext): Promise<Node> {
  const listBody = h("div");
  const secretSlot = h("div");

  const loadTokens = async () => {
    try {
      const { data } = await unwrap(api.v1.me.tokens.$get());
      if (signal.aborted) return;
      replace(
        listBody,
        dataTable({
          caption: "Your API tokens",
          headers: ["Name", "Token", "Scopes", "Created", "Last used", "Expires", ""],
          rows: data.map((t) => tokenRow(t, loadTokens)),
          empty: "No API tokens yet.",
        }),
      );
    } catch (err) {
      replace(listBody, errorAlert(err));
    }
  };

  const form = h(
    "form",
    { class: "stack", "aria-label": "Create API token" },
    textField({ name: "name", label: "Name", required: true, maxlength: 100, hint: "Where you will use it, e.g. “CI publish”." }),
    checkboxGroup({ name: "scopes", legend: "Scopes", options: TOKEN_SCOPES.map((s) => ({ value: s, label: SCOPE_LABELS[s] })) }),
    textField({
      name: "expiresInDays",
      label: "Expires after (days)",
      type: "number",
      min: 1,
      max: 365,
      hint: "1–365. Leave empty for a token that does not expire.",
    }),
    formAlert(),
    submitButton("Create token"),
  );
  handleSubmit(form, {
    schema: CreateTokenBody,
    read: (f) => {
      const days = formValue(f, "expiresInDays").trim();
      return {
        name: formValue(f, "name"),
        scopes: [...f.querySelectorAll<HTMLInputElement>('input[name="scopes"]:checked')].map((c) => c.value),
        expiresInDays: days === "" ? undefined : Number(days),
      };
    },
    submit: async (body) => {
      const created = await unwrap(api.v1.me.tokens.$post({ json: body }));
      form.reset();
      replace(
        secretSlot,
        secretPanel({
          title: `Token “${created.name}” created.`,
          secret: created.token,
          label: "Your new API token",
          testId: "token-secret",
          onDone: () => secretSlot.replaceChildren(),
        }),
      );
      secretSlot.querySelector("input")?.focus();
      await loadTokens();
    },
  });

  await loadTokens();
  return h(
    "div",
    { class: "stack" },
    pageHeader("API tokens", "Personal tokens for scripts and the CLI. They act as you, limited to the scopes you pick."),
    secretSlot,
    section("Create a token", form),
    section("Your tokens", listBody),
  );
}

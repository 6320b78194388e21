/**
 * One of an item's license keys in the Licenses tab: who holds it, its state, its installations,
 * and the author's actions (suspend or reinstate, reset activations, revoke), each confirmed
 * where it cannot be undone.
 */
import type { ItemLicenseDetailT, LicenseAction } from "../../../../shared/licenses";
import { api } from "../../api/client";
import { asApiError } from "../../api/errors";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import { formatDate, formatDateTime, formatRelative } from "../../format";
import { licenseStatusBadge } from "../../ui/license-status";
import { describeError } from "../../ui/messages";
import { factList } from "../../ui/status-list";
import { dataTable, row } from "../../ui/table";
import { toast } from "../../ui/toast";

interface KeyPanelOptions {
  orgId: string;
  itemId: string;
  canEdit: boolean;
  /** After an action: the key as it is now, for the list to show too. */
  onChange(license: ItemLicenseDetailT): void;
}

const ACTION_LABELS: Record<LicenseAction, string> = {
  suspend: "Suspend",
  reinstate: "Reinstate",
  "reset-activations": "Reset activations",
  revoke: "Revoke",
};

const ACTION_DONE: Record<LicenseAction, (key: string) => string> = {
  suspend: (key) => `Suspended ${key}: it stops working until you reinstate it.`,
  reinstate: (key) => `Reinstated ${key}: it works again.`,
  "reset-activations": (key) => `Freed every activation of ${key}.`,
  revoke: (key) => `Revoked ${key}.`,
};

/** Asked before the actions a buyer would notice at once; reinstating needs no confirmation. */
function confirmation(action: LicenseAction, license: ItemLicenseDetailT): string | undefined {
  const who = license.buyerEmail;
  switch (action) {
    case "suspend":
      return `Suspend ${license.key}? It stops working for ${who} until you reinstate it.`;
    case "reset-activations":
      return `Free all ${license.activationCount} activations of ${license.key}? Each installation must activate again.`;
    case "revoke":
      return `Revoke ${license.key} for good? ${who} can no longer use it, and it cannot be reinstated.`;
    default:
      return undefined;
  }
}

/** The actions that change something for a key in this state. */
function actionsFor(license: ItemLicenseDetailT): LicenseAction[] {
  if (license.status === "revoked") return [];
  return [
    license.status === "suspended" ? "reinstate" : "suspend",
    ...(license.activationCount > 0 ? (["reset-activations"] as const) : []),
    "revoke",
  ];
}

function activationsTable(license: ItemLicenseDetailT): HTMLElement {
  return dataTable({
    caption: `Installations of ${license.key}`,
    headers: ["Name", "Fingerprint", "Activated", "Last seen"],
    rows: license.activations.map((a) =>
      row(
        { "data-activation-id": a.id },
        a.name ?? h("span", { class: "muted" }, "Unnamed"),
        h("code", { class: "wrap-anywhere" }, a.fingerprint),
        h("span", { class: "nowrap" }, formatDateTime(a.createdAt)),
        a.lastValidatedAt === null ? "Never" : h("span", { title: formatDateTime(a.lastValidatedAt) }, formatRelative(a.lastValidatedAt)),
      ),
    ),
    empty: "Not activated anywhere.",
  });
}

/** The panel for one key; `show` fills it (and focuses its heading), `clear` empties it. */
export function licenseKeyPanel(o: KeyPanelOptions) {
  const panel = h("div", { class: "license-key-panel" });
  const param = (licenseId: string) => ({ orgId: o.orgId, itemId: o.itemId, licenseId });

  const render = (license: ItemLicenseDetailT) => {
    const headingId = `license-key-${license.id}`;
    const message = h("p", { class: "row-error", role: "alert", hidden: true });
    const buttons = actionsFor(license).map((action) =>
      h(
        "button",
        {
          type: "button",
          class: action === "revoke" || action === "suspend" ? "button small danger" : "button small",
          onclick: async (event: Event) => {
            const question = confirmation(action, license);
            if (question && !confirm(question)) return;
            const button = event.currentTarget as HTMLButtonElement;
            button.disabled = true;
            message.hidden = true;
            try {
              const now = await unwrap(
                api.v1.orgs[":orgId"].items[":itemId"].licenses[":licenseId"][":action"].$post({ param: { ...param(license.id), action } }),
              );
              toast(ACTION_DONE[action](now.key));
              render(now);
              o.onChange(now);
            } catch (err) {
              button.disabled = false;
              message.textContent = describeError(asApiError(err));
              message.hidden = false;
            }
          },
        },
        ACTION_LABELS[action],
      ),
    );
    replace(
      panel,
      h(
        "article",
        { class: "card stack", "aria-labelledby": headingId, "data-license-id": license.id },
        h("h3", { id: headingId, tabindex: -1 }, "Key ", h("code", { class: "license-key" }, license.key)),
        factList([
          ["Buyer", h("span", { class: "wrap-anywhere" }, license.buyerEmail)],
          ["Status", licenseStatusBadge(license.status)],
          ["From", license.source === "subscription" ? "A subscription" : "A purchase"],
          ["Issued", formatDate(license.createdAt)],
          ["Expires", license.expiresAt === null ? "Never" : formatDate(license.expiresAt)],
          ["Activations", `${license.activationCount} of ${license.maxActivations}`],
        ]),
        activationsTable(license),
        o.canEdit
          ? buttons.length > 0 && h("div", { class: "actions-row", role: "group", "aria-label": "Key actions" }, buttons, message)
          : h("p", { class: "muted" }, "Only admins and owners can suspend, reset or revoke keys."),
        license.status === "revoked" && h("p", { class: "muted" }, "A revoked key stays revoked."),
      ),
    );
  };

  return {
    panel,
    async show(licenseId: string) {
      try {
        render(await unwrap(api.v1.orgs[":orgId"].items[":itemId"].licenses[":licenseId"].$get({ param: param(licenseId) })));
        panel.querySelector<HTMLElement>("h3")?.focus();
      } catch (err) {
        replace(panel, h("p", { class: "row-error", role: "alert" }, describeError(asApiError(err))));
      }
    },
    clear: () => replace(panel),
  };
}

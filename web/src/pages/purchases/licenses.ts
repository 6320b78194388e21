/** The Licenses section of Purchases: masked keys, their state, and installations to deactivate. */
import type { MyLicenseT } from "../../../../shared/licenses";
import { api } from "../../api/client";
import { asApiError } from "../../api/errors";
import { deactivateLicense } from "../../api/no-content";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import { formatDate, formatDateTime, formatRelative } from "../../format";
import { errorAlert } from "../../ui/alert";
import { licenseStatusBadge } from "../../ui/license-status";
import { describeError } from "../../ui/messages";
import { section } from "../../ui/page";
import { factList } from "../../ui/status-list";
import { dataTable, row } from "../../ui/table";
import { toast } from "../../ui/toast";
import { storefrontItemUrl } from "../paths";

type Activation = MyLicenseT["activations"][number];

const installationName = (a: Activation) => a.name ?? a.fingerprint;

function activationRow(license: MyLicenseT, activation: Activation, reload: () => Promise<void>): HTMLTableRowElement {
  const name = installationName(activation);
  const message = h("p", { class: "row-error", role: "alert", hidden: true });
  const button = h(
    "button",
    {
      type: "button",
      class: "button small danger",
      "aria-label": `Deactivate ${name}`,
      onclick: async () => {
        if (
          !confirm(
            `Deactivate “${name}”? ${license.itemName} stops working there until it is activated again, and the activation is free for another installation.`,
          )
        )
          return;
        button.disabled = true;
        message.hidden = true;
        try {
          await deactivateLicense(license.id, activation.id);
          toast(`Deactivated ${name}.`);
          await reload();
        } catch (err) {
          button.disabled = false;
          message.textContent = describeError(asApiError(err));
          message.hidden = false;
        }
      },
    },
    "Deactivate",
  );
  return row(
    { "data-activation-id": activation.id },
    activation.name ?? h("span", { class: "muted" }, "Unnamed"),
    h("code", { class: "wrap-anywhere" }, activation.fingerprint),
    h("span", { class: "nowrap" }, formatDateTime(activation.createdAt)),
    activation.lastValidatedAt === null
      ? "Never"
      : h("span", { title: formatDateTime(activation.lastValidatedAt) }, formatRelative(activation.lastValidatedAt)),
    h("div", { class: "row-actions" }, button, message),
  );
}

function licenseCard(license: MyLicenseT, reload: () => Promise<void>): HTMLElement {
  const headingId = `license-${license.id}`;
  return h(
    "article",
    { class: "license", "aria-labelledby": headingId, "data-license-id": license.id },
    h("h3", { id: headingId }, h("a", { href: storefrontItemUrl(license.itemSlug) }, license.itemName)),
    factList([
      ["Key", h("code", { class: "license-key", "data-testid": "license-key" }, license.key)],
      ["Status", licenseStatusBadge(license.status)],
      ["Expires", license.expiresAt === null ? "Never" : formatDate(license.expiresAt)],
      ["Activations", `${license.activations.length} of ${license.maxActivations}`],
    ]),
    dataTable({
      caption: `Installations of ${license.itemName}`,
      headers: ["Name", "Fingerprint", "Activated", "Last seen", ""],
      rows: license.activations.map((a) => activationRow(license, a, reload)),
      empty: "Not activated anywhere yet.",
    }),
  );
}

/**
 * The section, loaded. The full key was shown once, at purchase; here it is masked to its last
 * group, which is enough to tell keys apart.
 */
export async function licensesSection(signal: AbortSignal): Promise<HTMLElement> {
  const body = h("div", { class: "stack" });
  const load = async () => {
    try {
      const { data } = await unwrap(api.v1.me.licenses.$get());
      if (signal.aborted) return;
      replace(body, data.length === 0 ? h("p", { class: "empty" }, "No licenses yet.") : data.map((license) => licenseCard(license, load)));
    } catch (err) {
      replace(body, errorAlert(err));
    }
  };
  await load();
  return section(
    "Licenses",
    h(
      "p",
      { class: "muted" },
      "Keys are shown in full once, when you buy. Deactivate an installation you no longer use to free its activation.",
    ),
    body,
  );
}

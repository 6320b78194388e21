import type { z } from "zod";
import type { ConnectStatus } from "../../../../shared/payments";
import { roleAtLeast } from "../../../../shared/roles";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h } from "../../dom";
import type { PageContext } from "../../router";
import { activeMembership } from "../../state/me";
import { alertBox, errorAlert } from "../../ui/alert";
import { noOrgContent } from "../../ui/no-org";
import { pageHeader, section } from "../../ui/page";
import { factList, yesNo } from "../../ui/status-list";
import { EARNINGS_PATH } from "../paths";

type ConnectStatusT = z.infer<typeof ConnectStatus>;

/** Onboarded: Stripe has the details and lets the account take charges (and Plaza is still connected to it). */
const isOnboarded = (s: ConnectStatusT) => s.detailsSubmitted && s.chargesEnabled && !s.disconnected;

/** A button that asks the API for a one-time Stripe link and goes there (a full page load). */
function linkButton(label: string, fetchLink: () => Promise<{ url: string }>, result: HTMLElement, primary = true): HTMLButtonElement {
  const button = h(
    "button",
    {
      type: "button",
      class: primary ? "button primary" : "button",
      onclick: async () => {
        button.disabled = true;
        result.replaceChildren(h("p", { class: "muted", role: "status" }, "Opening Stripe…"));
        try {
          location.assign((await fetchLink()).url);
        } catch (err) {
          button.disabled = false;
          result.replaceChildren(errorAlert(err));
        }
      },
    },
    label,
  );
  return button;
}

/**
 * `/dashboard/payouts`: the active org's Stripe Connect account. Admins start or continue the
 * hosted onboarding and, once done, open the Stripe Express dashboard. Stripe sends the author
 * back here with `?return=1` (finished or saved for later) or `?refresh=1` (the one-time link
 * expired or was used), which fetches a fresh link and goes straight on.
 */
export async function payoutsPage({ query, signal }: PageContext): Promise<Node> {
  const org = activeMembership();
  if (!org) return noOrgContent("Payouts", "Create an org to sell items and receive payouts.");
  const orgId = org.orgId;
  const isAdmin = roleAtLeast(org.role, "admin");
  const onboardingLink = () => unwrap(api.v1.orgs[":orgId"].connect.onboarding.$post({ param: { orgId } }));
  const dashboardLink = () => unwrap(api.v1.orgs[":orgId"].connect["dashboard-link"].$post({ param: { orgId } }));

  // Reading the status also refreshes an unfinished account from Stripe, so it is current on return.
  const status = await unwrap(api.v1.orgs[":orgId"].connect.$get({ param: { orgId } }));
  if (signal.aborted) return h("div");
  const onboarded = isOnboarded(status);
  const header = pageHeader(
    `Payouts · ${org.name}`,
    "Plaza pays out your sales through Stripe. Stripe verifies your details once; then buyers can pay you.",
  );
  const result = h("div", { "aria-live": "polite" });

  if (query.get("refresh") === "1" && isAdmin && !onboarded) {
    try {
      const link = await onboardingLink();
      if (!signal.aborted) location.assign(link.url);
      return h("div", { class: "stack" }, header, alertBox("info", "Your onboarding link had expired. Opening a new one…"));
    } catch (err) {
      result.replaceChildren(errorAlert(err));
    }
  }

  const banner =
    query.get("return") === "1"
      ? onboarded
        ? alertBox("success", `Payouts are set up: ${org.name} can now sell paid items.`)
        : alertBox("info", "Onboarding is not finished yet. Continue whenever you are ready; Stripe keeps what you entered.")
      : null;

  // Connect problems, above everything else: they stop payouts or sales until the author acts.
  const problems = [
    status.disconnected &&
      alertBox(
        "error",
        h("strong", {}, "Disconnected from Stripe — reconnect. "),
        `${org.name} was disconnected from Plaza in Stripe, so its paid items are not available for purchase. `,
        isAdmin
          ? "Reconnect to set up payouts again; your items go back on sale once Stripe has verified the account."
          : "An admin can reconnect.",
      ),
    status.payoutProblem &&
      alertBox(
        "error",
        h("strong", {}, `Payouts need attention: ${status.payoutProblem.message}`),
        " Stripe keeps the money in your balance; fix your bank details in the Stripe dashboard and the next payout is tried.",
      ),
  ];

  let summary: string;
  let action: HTMLButtonElement | null = null;
  if (status.disconnected) {
    summary = `${org.name} is disconnected from Stripe: its paid items are off sale until it reconnects.`;
    action = linkButton("Reconnect to Stripe", onboardingLink, result);
  } else if (!status.connected) {
    summary = `${org.name} has no Stripe account yet. Set up payouts to sell paid items.`;
    action = linkButton("Set up payouts", onboardingLink, result);
  } else if (!onboarded) {
    summary = `Onboarding is not finished: ${org.name} cannot take payments yet.`;
    action = linkButton("Continue onboarding", onboardingLink, result);
  } else {
    summary = status.payoutsEnabled
      ? `${org.name} can take payments and receives payouts.`
      : `${org.name} can take payments; Stripe has not enabled payouts yet.`;
    action = linkButton("Open Stripe dashboard", dashboardLink, result, false);
  }

  return h(
    "div",
    { class: "stack" },
    header,
    banner,
    ...problems,
    section(
      "Stripe account",
      h("p", { "data-testid": "payouts-summary" }, summary),
      factList([
        ["Account created", yesNo(status.connected)],
        ["Details submitted", yesNo(status.detailsSubmitted)],
        ["Can take payments", yesNo(status.chargesEnabled)],
        ["Payouts enabled", yesNo(status.payoutsEnabled)],
      ]),
      isAdmin
        ? h("div", { class: "actions-row" }, action)
        : h("p", { class: "muted" }, "Only admins and owners can change payout settings."),
      result,
    ),
    onboarded && h("p", {}, h("a", { href: EARNINGS_PATH }, "See your earnings")),
  );
}

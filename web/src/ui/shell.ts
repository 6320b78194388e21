/** The signed-in header (brand, org switcher with "New org", the notifications bell, navigation, the user and logout) and the footer. */
import type { MeT } from "../../../shared/api";
import { LEGAL_PAGE_ORDER, LEGAL_PAGES } from "../../../shared/legal";
import { roleAtLeast } from "../../../shared/roles";
import { asApiError } from "../api/errors";
import { logout } from "../auth/session";
import { h, uniqueId } from "../dom";
import { notificationBell } from "../notifications/bell";
import { queuedChanges } from "../offline/queue";
import { unsentDocuments } from "../offline/unsent-docs";
import {
  ANALYTICS_PATH,
  EARNINGS_PATH,
  ITEMS_PATH,
  OPERATOR_PATH,
  PAYOUTS_PATH,
  PROJECTS_PATH,
  PURCHASES_PATH,
  WEBHOOKS_PATH,
} from "../pages/paths";
import { DASHBOARD_PATH, navigate } from "../router";
import { clearMe, switchActiveOrg } from "../state/me";
import { createOrgForm } from "./create-org-form";
import { describeError } from "./messages";
import { toast } from "./toast";

/** Pages about the active org without it in their path: switching orgs re-renders them. */
const ACTIVE_ORG_PAGES = [ITEMS_PATH, EARNINGS_PATH, ANALYTICS_PATH, PAYOUTS_PATH, WEBHOOKS_PATH, PROJECTS_PATH];

/** The same page in another org: /orgs/A/audit → /orgs/B/audit, /dashboard/earnings stays; elsewhere → B's members. */
function orgPathFor(orgId: string): string {
  if (ACTIVE_ORG_PAGES.includes(location.pathname)) return location.pathname;
  // An endpoint or a project belongs to one org: in another, its list.
  if (location.pathname.startsWith(`${WEBHOOKS_PATH}/`)) return WEBHOOKS_PATH;
  if (location.pathname.startsWith(`${PROJECTS_PATH}/`)) return PROJECTS_PATH;
  const sub = /^\/orgs\/[^/]+\/([a-z-]+)/.exec(location.pathname)?.[1] ?? "members";
  return `/orgs/${encodeURIComponent(orgId)}/${sub}`;
}

function orgSwitcher(me: MeT, orgInView: string | null): HTMLElement {
  if (me.orgs.length === 0) return h("span", { class: "muted" }, "No org yet");
  const id = uniqueId("org-switcher");
  const selected = orgInView ?? me.activeOrgId;
  const select = h(
    "select",
    {
      id,
      onchange: async () => {
        const orgId = select.value;
        select.disabled = true;
        try {
          await switchActiveOrg(orgId);
          navigate(orgPathFor(orgId));
        } catch (err) {
          select.value = selected ?? "";
          toast(describeError(asApiError(err)), "error");
        } finally {
          select.disabled = false;
        }
      },
    },
    me.orgs.map((org) => h("option", { value: org.orgId, selected: org.orgId === selected }, `${org.name} (${org.role})`)),
  );
  return h("div", { class: "org-switcher" }, h("label", { for: id }, "Org"), select);
}

function newOrgDialog(): HTMLElement {
  const titleId = uniqueId("new-org-title");
  const cancel = h("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Cancel");
  const dialog = h(
    "dialog",
    { "aria-labelledby": titleId },
    h("h2", { id: titleId }, "Create an org"),
    h("p", { class: "muted" }, "Orgs own items, members and API access. You become its owner."),
    createOrgForm(async (org) => {
      await switchActiveOrg(org.id);
      dialog.close();
      toast(`Created ${org.name}.`);
      navigate(`/orgs/${encodeURIComponent(org.id)}/members`);
    }, cancel),
  );
  const open = h("button", { type: "button", class: "button small", onclick: () => dialog.showModal() }, "New org");
  return h("div", { class: "new-org" }, open, dialog);
}

function navLink(href: string, label: string): HTMLElement {
  const current = location.pathname === href;
  return h("a", { href, "aria-current": current ? "page" : undefined }, label);
}

/** `signal` aborts when the page is left: the bell then stops listening. */
export function appHeader(me: MeT, orgInView: string | null, signal: AbortSignal): HTMLElement {
  const orgId = orgInView ?? me.activeOrgId;
  const role = me.orgs.find((o) => o.orgId === orgId)?.role;
  const base = orgId ? `/orgs/${encodeURIComponent(orgId)}` : null;
  return h(
    "header",
    { class: "topbar" },
    h(
      "div",
      { class: "topbar-row" },
      h("a", { class: "brand", href: DASHBOARD_PATH }, "Plaza"),
      orgSwitcher(me, orgInView),
      newOrgDialog(),
      h("span", { class: "spacer" }),
      notificationBell({ userId: me.user.id, signal }),
      h("span", { class: "user-name", "data-testid": "user-name" }, me.user.name),
      h(
        "button",
        {
          type: "button",
          class: "button small",
          onclick: async () => {
            // Signing out deletes what this device kept, changes not yet sent included: say so first.
            const waiting = queuedChanges() + unsentDocuments(me.user.id);
            const changes = waiting === 1 ? "1 change made on this device has" : `${waiting} changes made on this device have`;
            if (waiting > 0 && !confirm(`${changes} not reached Plaza yet; logging out deletes them. Log out anyway?`)) return;
            await logout();
            clearMe();
            navigate("/login");
          },
        },
        "Log out",
      ),
    ),
    h(
      "nav",
      { "aria-label": "Main" },
      base && navLink(`${base}/members`, "Members"),
      base && role && roleAtLeast(role, "admin") && navLink(`${base}/audit`, "Audit log"),
      // Earnings and payouts are the active org's; the header shows the active org unless a page is about another.
      base && orgId === me.activeOrgId && navLink(ITEMS_PATH, "Items"),
      base && orgId === me.activeOrgId && navLink(PROJECTS_PATH, "Projects"),
      base && orgId === me.activeOrgId && navLink(EARNINGS_PATH, "Earnings"),
      base && orgId === me.activeOrgId && navLink(ANALYTICS_PATH, "Analytics"),
      base && orgId === me.activeOrgId && navLink(PAYOUTS_PATH, "Payouts"),
      base && orgId === me.activeOrgId && role && roleAtLeast(role, "admin") && navLink(WEBHOOKS_PATH, "Webhooks"),
      navLink(PURCHASES_PATH, "Purchases"),
      navLink("/settings/tokens", "API tokens"),
      navLink("/settings/sessions", "Sessions"),
      me.user.isOperator && navLink(OPERATOR_PATH, "Operator"),
      // The storefront is server-rendered by the Worker: a plain link, a full page load.
      h("a", { href: "/" }, "Storefront"),
    ),
  );
}

/** Every page's footer: the storefront's legal and support pages (the Worker renders them: plain links, full page loads). */
export function appFooter(): HTMLElement {
  return h(
    "footer",
    { class: "app-footer" },
    h(
      "nav",
      { "aria-label": "Legal and support" },
      LEGAL_PAGE_ORDER.map((page) => h("a", { href: LEGAL_PAGES[page].path }, LEGAL_PAGES[page].title)),
    ),
  );
}

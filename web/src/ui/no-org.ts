import { h } from "../dom";
import { DASHBOARD_PATH } from "../router";
import { cachedMe } from "../state/me";
import { pageHeader } from "./page";

/** Org pages (earnings, payouts) without an active org: pick one, or make the first. */
export function noOrgContent(title: string, why: string): Node {
  const hasOrgs = (cachedMe()?.orgs.length ?? 0) > 0;
  return h(
    "div",
    { class: "stack" },
    pageHeader(title, hasOrgs ? "Choose an org with the switcher above." : why),
    !hasOrgs && h("p", {}, h("a", { href: DASHBOARD_PATH }, "Create an org")),
  );
}

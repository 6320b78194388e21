/** The operator console's frame: the page heading and the tabs between its pages. */
import { type Child, h } from "../../dom";
import { pageHeader } from "../../ui/page";
import { OPERATOR_JOBS_PATH, OPERATOR_MAIL_PATH, OPERATOR_MODERATION_PATH, OPERATOR_ORDERS_PATH, OPERATOR_PATH } from "../paths";

const OPERATOR_TABS: readonly [path: string, label: string][] = [
  [OPERATOR_PATH, "Overview"],
  [OPERATOR_MODERATION_PATH, "Moderation"],
  [OPERATOR_ORDERS_PATH, "Orders"],
  [OPERATOR_MAIL_PATH, "Mail"],
  [OPERATOR_JOBS_PATH, "Jobs"],
];

export function operatorPage(title: string, intro: string, ...children: Child[]): HTMLElement {
  return h(
    "div",
    { class: "stack" },
    pageHeader(title, intro),
    h(
      "nav",
      { class: "tabs", "aria-label": "Operator console" },
      OPERATOR_TABS.map(([path, label]) => h("a", { href: path, "aria-current": location.pathname === path ? "page" : undefined }, label)),
    ),
    ...children,
  );
}

import { h } from "../dom";
import { DASHBOARD_PATH } from "../router";
import { pageHeader } from "../ui/page";

export function notFoundContent(title = "Page not found", detail = "There is nothing at this address."): Node {
  return h("div", { class: "stack" }, pageHeader(title, detail), h("p", {}, h("a", { href: DASHBOARD_PATH }, "Go to your dashboard")));
}

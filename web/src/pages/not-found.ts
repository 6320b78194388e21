import { h } from "../dom";
import { pageHeader } from "../ui/page";

export function notFoundContent(title = "Page not found", detail = "There is nothing at this address."): Node {
  return h("div", { class: "stack" }, pageHeader(title, detail), h("p", {}, h("a", { href: "/" }, "Go to your dashboard")));
}

import { type Child, h } from "../dom";

/** The page heading receives focus after navigation, so screen readers announce the new page. */
export function pageHeader(title: string, ...intro: Child[]): HTMLElement {
  return h("header", { class: "page-header" }, h("h1", { tabindex: -1 }, title), intro.length > 0 && h("p", { class: "lead" }, ...intro));
}

export function section(title: string, ...children: Child[]): HTMLElement {
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

/** The centred single-card layout of the logged-out pages. */
export function narrowPage(title: string, ...children: Child[]): HTMLElement {
  return h("div", { class: "narrow" }, h("div", { class: "card" }, pageHeader(title), ...children));
}

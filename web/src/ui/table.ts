import { type Child, h } from "../dom";

/** A plain data table with a (visually hidden) caption for screen readers. */
export function dataTable(o: { caption: string; headers: string[]; rows: HTMLTableRowElement[]; empty: string }): HTMLElement {
  if (o.rows.length === 0) return h("p", { class: "empty" }, o.empty);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden" }, o.caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          o.headers.map((label) => h("th", { scope: "col" }, label)),
        ),
      ),
      h("tbody", {}, o.rows),
    ),
  );
}

export const row = (attrs: Record<string, string>, ...cells: Child[]) =>
  h(
    "tr",
    attrs,
    cells.map((cell) => h("td", {}, cell)),
  );

import { type Child, h } from "../dom";

/** A small definition list of facts: label → value. */
export function factList(facts: [label: string, value: Child][]): HTMLDListElement {
  return h(
    "dl",
    { class: "facts" },
    facts.map(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]),
  );
}

export const yesNo = (value: boolean) => h("span", { class: value ? "badge yes" : "badge no" }, value ? "Yes" : "No");

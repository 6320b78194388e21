/**
 * A held project edit (offline/project-edits.ts): per field (or state key) both sides changed,
 * the person's value and the one saved meanwhile, side by side; they pick one of each and the
 * edit is sent again on top of the saved copy. Mine is preselected: it is what they typed.
 */
import type { ProjectFieldConflict } from "../../../../shared/project-merge";
import { h } from "../../dom";
import { type ProjectEdit, resolveProjectConflict } from "../../offline/project-edits";
import type { MutationQueue } from "../../offline/queue";
import { alertBox } from "../../ui/alert";

const FIELD_NAMES = { name: "Name", memberRole: "What members may do", channel: "Update channel", state: "State" } as const;

const fieldName = (c: ProjectFieldConflict) => (c.path ? `State key “${c.path[0]}”` : FIELD_NAMES[c.field]);
const shown = (value: unknown) => (value === undefined ? "(removed)" : typeof value === "string" ? value : JSON.stringify(value));

export function conflictChoice(o: { queue: MutationQueue; edit: ProjectEdit }): HTMLElement {
  const conflicts = o.edit.extra?.conflict?.conflicts ?? [];
  const group = (c: ProjectFieldConflict, i: number) => {
    const name = `conflict-${o.edit.seq}-${i}`;
    const option = (side: "mine" | "theirs", label: string, value: unknown) =>
      h(
        "label",
        { class: "choice" },
        h("input", { type: "radio", name, value: side, checked: side === "mine" }),
        h("span", {}, `${label}: `, h("span", { class: "mono wrap-anywhere", "data-side": side }, shown(value))),
      );
    return h(
      "fieldset",
      { class: "conflict-field", "data-field": c.path ? `state.${c.path[0]}` : c.field },
      h("legend", {}, fieldName(c)),
      option("mine", "Yours", c.mine),
      option("theirs", "Saved meanwhile", c.theirs),
    );
  };
  const form: HTMLFormElement = h(
    "form",
    {
      class: "stack conflict-choice",
      "aria-label": "Choose which values to keep",
      onsubmit: (e: Event) => {
        e.preventDefault();
        const keepMine = conflicts.map(
          (_, i) => (form.elements.namedItem(`conflict-${o.edit.seq}-${i}`) as RadioNodeList).value === "mine",
        );
        void resolveProjectConflict(o.queue, o.edit, keepMine);
      },
    },
    alertBox(
      "error",
      h("strong", {}, "Someone changed these settings while yours were waiting to be sent. "),
      "Choose which value to keep for each; the rest of your changes are kept.",
    ),
    ...conflicts.map(group),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button primary" }, "Keep these values")),
  );
  return form;
}

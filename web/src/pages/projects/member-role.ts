/** What org members (not admins or owners, who always edit) may do in a project. */
import type { ProjectRoleT } from "../../../../shared/projects";
import { h, uniqueId } from "../../dom";

/** A project's `memberRole`: the role plain members get in it. */
export type MemberRole = ProjectRoleT;

const LABELS: Record<MemberRole, string> = { write: "Edit", read: "Only view" };

export const memberRoleLabel = (role: MemberRole) => LABELS[role];

export function memberRoleField(value: MemberRole): HTMLDivElement {
  const id = uniqueId("field-memberRole");
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, "Members may"),
    h(
      "select",
      { id, name: "memberRole", "aria-describedby": `${id}-hint ${id}-error` },
      (Object.keys(LABELS) as MemberRole[]).map((role) => h("option", { value: role, selected: role === value }, LABELS[role])),
    ),
    h("p", { id: `${id}-hint`, class: "hint" }, "Owners and admins can always edit."),
    h("p", { id: `${id}-error`, class: "field-error", "data-error-for": "memberRole", hidden: true }),
  );
}

/**
 * Project settings: its name, what members may do (admins and owners only), its update channel, and the JSON state
 * document of non-collaborative settings, checked here (valid JSON, an object, ≤ 64 KB) before
 * it is sent. Only the fields the person changed go, through the mutation queue (offline they
 * wait on the device; a copy changed meanwhile is merged field by field: project-edits.ts).
 */
import { z } from "zod";
import { PROJECT_STATE_MAX_BYTES as MAX_STATE_BYTES, ProjectChannel, type ProjectT } from "../../../../shared/projects";
import { h, uniqueId } from "../../dom";
import { changedFields, projectFields, queueProjectEdit } from "../../offline/project-edits";
import type { MutationQueue } from "../../offline/queue";
import { formAlert, formValue, handleSubmit, submitButton, textField } from "../../ui/form";
import { toast } from "../../ui/toast";
import { channelField } from "./channel-field";
import { ProjectNameSchema } from "./list";
import { type MemberRole, memberRoleField } from "./member-role";

/** The textarea's text → the state object, or zod issues saying what is wrong with it. */
export const StateJsonSchema = z.string().transform((text, ctx) => {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() === "" ? "{}" : text);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: `is not valid JSON: ${(err as Error).message}` });
    return z.NEVER;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: "custom", message: 'must be a JSON object, like {"theme": "dark"}' });
    return z.NEVER;
  }
  // Measured as the Worker does: the compact JSON, not the indented text.
  if (new TextEncoder().encode(JSON.stringify(value)).byteLength > MAX_STATE_BYTES) {
    ctx.addIssue({ code: "custom", message: `must be at most ${MAX_STATE_BYTES / 1024} KB as JSON` });
    return z.NEVER;
  }
  return value as Record<string, unknown>;
});

const SettingsSchema = z.object({
  name: ProjectNameSchema,
  memberRole: z.enum(["write", "read"]).optional(),
  channel: ProjectChannel,
  state: StateJsonSchema,
});

function stateField(state: Record<string, unknown>, readonly: boolean): HTMLDivElement {
  const id = uniqueId("field-state");
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, "State (JSON)"),
    h(
      "textarea",
      { id, name: "state", rows: 8, class: "mono", spellcheck: "false", readonly, "aria-describedby": `${id}-hint ${id}-error` },
      JSON.stringify(state, null, 2),
    ),
    h("p", { id: `${id}-hint`, class: "hint" }, "Settings that are not edited live, as one JSON object (at most 64 KB)."),
    h("p", { id: `${id}-error`, class: "field-error", "data-error-for": "state", hidden: true }),
  );
}

export function settingsForm(o: {
  orgId: string;
  /** The copy shown now, queued edits included: what the form starts from and a change is measured against. */
  current: () => ProjectT;
  canEdit: boolean;
  isAdmin: boolean;
  queue: MutationQueue;
}): HTMLElement {
  const project = o.current();
  const form = h(
    "form",
    { class: "stack", "aria-label": "Project settings" },
    textField({ name: "name", label: "Name", required: true, maxlength: 100, value: project.name }),
    o.isAdmin && memberRoleField(project.memberRole),
    channelField(project.channel, !o.canEdit),
    stateField(project.state ?? {}, !o.canEdit),
    formAlert(),
    o.canEdit && submitButton("Save settings"),
  );
  if (!o.canEdit) for (const input of form.querySelectorAll("input")) input.readOnly = true;
  handleSubmit(form, {
    schema: SettingsSchema,
    read: (f) => ({
      name: formValue(f, "name"),
      memberRole: o.isAdmin ? (formValue(f, "memberRole") as MemberRole) : undefined,
      channel: formValue(f, "channel"),
      state: (f.elements.namedItem("state") as HTMLTextAreaElement).value,
    }),
    submit: async (body) => {
      const base = o.current();
      const changes = changedFields(projectFields(base), body);
      if (Object.keys(changes).length === 0) return toast("Nothing to save: no setting changed.", "info");
      const outcome = await queueProjectEdit(o.queue, { orgId: o.orgId, project: base, changes });
      toast(outcome.applied ? "Settings saved." : "Saved on this device: it will be sent when Plaza can be reached.");
    },
  });
  return form;
}

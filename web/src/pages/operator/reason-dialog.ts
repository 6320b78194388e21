/**
 * The console's confirmation for an action that needs a reason (unlist, restore, grant, revoke):
 * one dialog per page, filled for the action whose button was pressed. The reason is audited.
 */
import { z } from "zod";
import { type Child, h, uniqueId } from "../../dom";
import { formAlert, handleSubmit, submitButton } from "../../ui/form";
import { textareaField, textareaValue } from "../reviews/fields";

export interface ReasonAction {
  title: string;
  /** What the action does, above the field. */
  intro?: Child;
  hint: string;
  submitLabel: string;
  maxLength: number;
  send: (reason: string) => Promise<void>;
}

export function reasonDialog() {
  const titleId = uniqueId("reason-title");
  const dialog = h("dialog", { "aria-labelledby": titleId });
  const open = (action: ReasonAction) => {
    const cancel = h("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Cancel");
    const form = h(
      "form",
      { class: "stack", "aria-label": action.title },
      action.intro && h("p", {}, action.intro),
      textareaField({ name: "reason", label: "Reason", required: true, maxlength: action.maxLength, rows: 3, hint: action.hint }),
      formAlert(),
      submitButton(action.submitLabel, cancel),
    );
    handleSubmit(form, {
      schema: z.object({ reason: z.string().trim().min(1, "is required").max(action.maxLength) }),
      read: (f) => ({ reason: textareaValue(f, "reason") }),
      submit: async ({ reason }) => {
        await action.send(reason);
        dialog.close();
      },
    });
    dialog.replaceChildren(h("h2", { id: titleId }, action.title), form);
    dialog.showModal();
    form.querySelector("textarea")?.focus();
  };
  return { dialog, open };
}

import { z } from "zod";
import { Password, type SessionT } from "../../../../shared/api";
import { api } from "../../api/client";
import { changePassword, revokeSession } from "../../api/no-content";
import { unwrap } from "../../api/unwrap";
import { logout } from "../../auth/session";
import { h, replace } from "../../dom";
import { describeUserAgent, formatDateTime, formatRelative } from "../../format";
import { storagePersistenceNotice } from "../../offline/storage-persistence";
import { navigate, type PageContext } from "../../router";
import { clearMe } from "../../state/me";
import { errorAlert } from "../../ui/alert";
import { formAlert, formValue, handleSubmit, submitButton, textField } from "../../ui/form";
import { pageHeader, section } from "../../ui/page";
import { dataTable, row } from "../../ui/table";
import { toast } from "../../ui/toast";

function sessionRow(session: SessionT, reload: () => Promise<void>): HTMLTableRowElement {
  const device = describeUserAgent(session.userAgent);
  const button = h(
    "button",
    {
      type: "button",
      class: "button small danger",
      title: session.userAgent ?? undefined,
      onclick: async () => {
        button.disabled = true;
        try {
          if (session.current) {
            // Revoking this session is logging out here.
            await logout();
            clearMe();
            navigate("/login");
            return;
          }
          await revokeSession(session.id);
          toast(`Signed out ${device}.`);
          await reload();
        } catch (err) {
          button.disabled = false;
          button.after(errorAlert(err));
        }
      },
    },
    session.current ? "Log out" : "Revoke",
  );
  return row(
    { "data-session-id": session.id },
    h("span", { title: session.userAgent ?? "" }, device, session.current && h("span", { class: "badge current" }, "This device")),
    session.ip ?? "—",
    formatDateTime(session.createdAt),
    formatRelative(session.lastUsedAt),
    formatRelative(session.expiresAt),
    button,
  );
}

const PasswordFormSchema = z
  .object({ currentPassword: z.string().max(128).optional(), newPassword: Password, repeatPassword: z.string() })
  .refine((v) => v.newPassword === v.repeatPassword, { path: ["repeatPassword"], message: "does not match the new password" });

/** Change the password (a guest from checkout leaves "Current password" empty to set a first one); other devices are logged out. */
function passwordForm(reload: () => Promise<void>): HTMLFormElement {
  const form = h(
    "form",
    { class: "stack", "aria-label": "Change password" },
    textField({
      name: "currentPassword",
      label: "Current password",
      type: "password",
      autocomplete: "current-password",
      hint: "Bought as a guest and never set one? Leave this empty.",
    }),
    textField({
      name: "newPassword",
      label: "New password",
      type: "password",
      required: true,
      autocomplete: "new-password",
      minlength: 10,
      hint: "At least 10 characters.",
    }),
    textField({ name: "repeatPassword", label: "New password again", type: "password", required: true, autocomplete: "new-password" }),
    formAlert(),
    submitButton("Change password"),
  );
  handleSubmit(form, {
    schema: PasswordFormSchema,
    read: (f) => ({
      currentPassword: formValue(f, "currentPassword") || undefined,
      newPassword: formValue(f, "newPassword"),
      repeatPassword: formValue(f, "repeatPassword"),
    }),
    submit: async ({ currentPassword, newPassword }) => {
      await changePassword({ currentPassword, newPassword });
      form.reset();
      toast("Password changed. Every other device was logged out.");
      await reload();
    },
  });
  return form;
}

export async function sessionsPage({ signal }: PageContext): Promise<Node> {
  const body = h("div");
  const load = async () => {
    try {
      const { data } = await unwrap(api.v1.me.sessions.$get());
      if (signal.aborted) return;
      replace(
        body,
        dataTable({
          caption: "Your active sessions",
          headers: ["Device", "IP address", "Signed in", "Last active", "Expires", ""],
          rows: data.map((s) => sessionRow(s, load)),
          empty: "No active sessions.",
        }),
      );
    } catch (err) {
      replace(body, errorAlert(err));
    }
  };
  await load();
  return h(
    "div",
    { class: "stack" },
    pageHeader("Sessions", "Every browser where you are logged in. Revoke any you do not recognise."),
    section("Active sessions", body),
    section("Offline copies", storagePersistenceNotice()),
    section("Password", passwordForm(load)),
  );
}

import { ResendVerificationBody } from "../../../../shared/api";
import { publicApi } from "../../api/public-client";
import { unwrap } from "../../api/unwrap";
import { h } from "../../dom";
import type { PageContext } from "../../router";
import { alertBox, errorAlert } from "../../ui/alert";
import { formAlert, formValue, handleSubmit, submitButton, textField } from "../../ui/form";
import { narrowPage } from "../../ui/page";

/** The form that sends a fresh verification link; shared with the login page. */
export function resendVerificationForm(email = ""): HTMLFormElement {
  const form = h(
    "form",
    { class: "stack", "aria-label": "Send the verification link again" },
    textField({ name: "email", label: "E-mail", type: "email", required: true, autocomplete: "email", value: email }),
    formAlert(),
    submitButton("Send a new link"),
  );
  handleSubmit(form, {
    schema: ResendVerificationBody,
    read: (f) => ({ email: formValue(f, "email") }),
    submit: async (body) => {
      await unwrap(publicApi.v1.auth["resend-verification"].$post({ json: body }));
      form.replaceWith(alertBox("success", `If ${body.email} has an unverified account, a new link is on its way.`));
    },
  });
  return form;
}

export async function verifyEmailPage({ query, signal }: PageContext): Promise<Node> {
  const token = query.get("token");
  if (!token)
    return narrowPage(
      "Verify your e-mail",
      alertBox("error", "This link has no token. Open the link from the e-mail again."),
      resendVerificationForm(),
    );
  try {
    const user = await unwrap(publicApi.v1.auth["verify-email"].$post({ json: { token } }));
    if (signal.aborted) return h("div");
    return narrowPage(
      "E-mail verified",
      alertBox("success", `Thanks, ${user.name}. ${user.email} is verified.`),
      h("p", {}, h("a", { class: "button primary", href: `/login?email=${encodeURIComponent(user.email)}` }, "Log in")),
    );
  } catch (err) {
    return narrowPage("Verify your e-mail", errorAlert(err), h("p", {}, "Request a new link:"), resendVerificationForm());
  }
}

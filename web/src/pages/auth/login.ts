import { LoginBody, MagicLinkBody } from "../../../../shared/api";
import { asApiError } from "../../api/errors";
import { publicApi } from "../../api/public-client";
import { unwrap } from "../../api/unwrap";
import { login } from "../../auth/session";
import { h } from "../../dom";
import { navigate, type PageContext, safeNextPath } from "../../router";
import { loadMe } from "../../state/me";
import { alertBox } from "../../ui/alert";
import { formAlert, formValue, handleAction, handleSubmit, showErrors, submitButton, textField } from "../../ui/form";
import { describeError } from "../../ui/messages";
import { narrowPage } from "../../ui/page";
import { requestSignInLink, SEND_LINK_LABEL, signInLinkSent } from "./magic-link";

/** Shown inside the form alert when the account exists but its e-mail is not verified yet. */
function notVerifiedHelp(form: HTMLFormElement, email: string, message: string): HTMLElement {
  const resend = h("button", { type: "button", class: "button small" }, "Send the verification link again");
  const box = h("div", {}, h("p", {}, message), resend);
  resend.addEventListener("click", async () => {
    resend.disabled = true;
    try {
      await unwrap(publicApi.v1.auth["resend-verification"].$post({ json: { email } }));
      box.replaceWith(alertBox("success", `A new link is on its way to ${email}.`));
    } catch (err) {
      showErrors(form, describeError(asApiError(err)));
    }
  });
  return box;
}

export function loginPage({ query }: PageContext): Node {
  const next = safeNextPath(query.get("next"));
  // Uses the same e-mail field; the password is not needed for it.
  const sendLink = h("button", { type: "button", class: "button" }, SEND_LINK_LABEL);
  const linkHint = h(
    "p",
    { class: "muted" },
    "Bought as a guest, or forgot your password? Enter your e-mail and choose “",
    SEND_LINK_LABEL,
    "”.",
  );
  const form = h(
    "form",
    { class: "stack" },
    textField({ name: "email", label: "E-mail", type: "email", required: true, autocomplete: "username", value: query.get("email") ?? "" }),
    textField({ name: "password", label: "Password", type: "password", required: true, autocomplete: "current-password" }),
    formAlert(),
    submitButton("Log in", sendLink),
  );
  const notice = query.get("reason")
    ? alertBox("info", query.get("reason"))
    : next.startsWith("/invites/accept")
      ? alertBox("info", "Log in to accept your invitation.")
      : null;

  handleSubmit(form, {
    schema: LoginBody,
    read: (f) => ({ email: formValue(f, "email"), password: formValue(f, "password") }),
    submit: async ({ email, password }) => {
      await login(email, password);
      await loadMe();
      navigate(next, { replace: true });
    },
    onError: (err) => {
      if (err.code !== "email_not_verified") return false;
      showErrors(
        form,
        notVerifiedHelp(
          form,
          formValue(form, "email"),
          "Your e-mail address is not verified yet. Open the link we sent you, or get a new one.",
        ),
      );
      return true;
    },
  });
  handleAction(form, sendLink, {
    schema: MagicLinkBody,
    read: (f) => ({ email: formValue(f, "email") }),
    submit: async ({ email }) => {
      await requestSignInLink(email);
      linkHint.remove();
      form.replaceWith(signInLinkSent(email));
    },
  });
  return narrowPage(
    "Log in to Plaza",
    notice,
    linkHint,
    form,
    h("p", { class: "muted" }, "New here? ", h("a", { href: "/signup" }, "Create an account")),
  );
}

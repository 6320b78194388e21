/**
 * Password-less sign-in: asking for an e-mailed link (here and on the login page) and `/magic-link`,
 * where the link lands. Guests who bought without a password reach their purchases this way.
 */
import { MagicLinkBody } from "../../../../shared/api";
import { publicApi } from "../../api/public-client";
import { unwrap } from "../../api/unwrap";
import { loginWithMagicLink } from "../../auth/session";
import { type Child, h } from "../../dom";
import { navigate, type PageContext } from "../../router";
import { loadMe } from "../../state/me";
import { alertBox, errorAlert } from "../../ui/alert";
import { formAlert, formValue, handleSubmit, submitButton, textField } from "../../ui/form";
import { narrowPage } from "../../ui/page";
import { PURCHASES_PATH } from "../paths";

export const SEND_LINK_LABEL = "E-mail me a sign-in link";

/** Always 202 (whether or not the address has an account); throws an ApiError on 400 and 429. */
export const requestSignInLink = (email: string) => unwrap(publicApi.v1.auth["magic-link"].$post({ json: { email } }));

/** What replaces the form once a link was asked for. */
export function signInLinkSent(email: string): HTMLElement {
  return alertBox(
    "success",
    h(
      "p",
      {},
      h("strong", {}, "Check your inbox. "),
      `If ${email} has a Plaza account, a sign-in link is on its way. It works once, within 30 minutes.`,
    ),
    h("p", {}, "Bought as a guest? Your purchases are in the account of the e-mail address you paid with."),
  );
}

/** An e-mail field and "E-mail me a sign-in link": for the page a bad link lands on. */
export function signInLinkForm(email = ""): HTMLFormElement {
  const form = h(
    "form",
    { class: "stack", "aria-label": "Get a new sign-in link" },
    textField({ name: "email", label: "E-mail", type: "email", required: true, autocomplete: "email", value: email }),
    formAlert(),
    submitButton(SEND_LINK_LABEL),
  );
  handleSubmit(form, {
    schema: MagicLinkBody,
    read: (f) => ({ email: formValue(f, "email") }),
    submit: async ({ email }) => {
      await requestSignInLink(email);
      form.replaceWith(signInLinkSent(email));
    },
  });
  return form;
}

const badLinkPage = (...children: Child[]) =>
  narrowPage(
    "Sign in with a link",
    ...children,
    h("p", {}, "Sign-in links work once, within 30 minutes of being sent. Enter your e-mail for a new one:"),
    signInLinkForm(),
    h("p", { class: "muted" }, h("a", { href: "/login" }, "Log in with a password instead")),
  );

/**
 * `/magic-link?token=…`: spends the link, signs in like the login page, and opens Purchases. A
 * session already open here is replaced by the link's account.
 */
export async function magicLinkPage({ query, signal }: PageContext): Promise<Node> {
  const token = query.get("token");
  if (!token) return badLinkPage(alertBox("error", "This link has no token. Open the link from the e-mail again."));
  try {
    await loginWithMagicLink(token);
  } catch (err) {
    return badLinkPage(errorAlert(err));
  }
  await loadMe();
  // The token is spent: replace its URL in the history, so Back does not try it again.
  if (!signal.aborted) navigate(PURCHASES_PATH, { replace: true });
  return h("p", { class: "loading", role: "status" }, "Signed in. Opening your purchases…");
}

import { SignupBody } from "../../../../shared/api";
import { publicApi } from "../../api/public-client";
import { unwrap } from "../../api/unwrap";
import { DEV_MAILBOX_URL, isLocalDev } from "../../dev";
import { h } from "../../dom";
import { alertBox } from "../../ui/alert";
import { formAlert, formValue, handleSubmit, submitButton, textField } from "../../ui/form";
import { narrowPage } from "../../ui/page";

export function signupPage(): Node {
  const form = h(
    "form",
    { class: "stack" },
    textField({ name: "name", label: "Name", required: true, autocomplete: "name", maxlength: 100 }),
    textField({ name: "email", label: "E-mail", type: "email", required: true, autocomplete: "email" }),
    textField({
      name: "password",
      label: "Password",
      type: "password",
      required: true,
      autocomplete: "new-password",
      minlength: 10,
      hint: "At least 10 characters. A long phrase is easiest to remember.",
    }),
    formAlert(),
    submitButton("Create account"),
  );
  const page = narrowPage(
    "Create your Plaza account",
    form,
    h("p", { class: "muted" }, "Already have an account? ", h("a", { href: "/login" }, "Log in")),
  );

  handleSubmit(form, {
    schema: SignupBody,
    read: (f) => ({ name: formValue(f, "name"), email: formValue(f, "email"), password: formValue(f, "password") }),
    submit: async (body) => {
      const user = await unwrap(publicApi.v1.auth.signup.$post({ json: body }));
      form.replaceWith(
        alertBox(
          "success",
          h(
            "p",
            {},
            h("strong", {}, "Check your e-mail. "),
            `We sent a link to ${user.email}. Open it to verify your address, then log in.`,
          ),
          isLocalDev && h("p", {}, "Running locally: the e-mail is in the ", h("a", { href: DEV_MAILBOX_URL }, "dev mailbox"), "."),
        ),
      );
    },
  });
  return page;
}

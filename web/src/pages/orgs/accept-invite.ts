import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h } from "../../dom";
import type { PageContext } from "../../router";
import { loadMe } from "../../state/me";
import { alertBox, errorAlert } from "../../ui/alert";
import { narrowPage } from "../../ui/page";

/** Reached from the invitation e-mail; the router sends logged-out visitors to login and back. */
export async function acceptInvitePage({ query }: PageContext): Promise<Node> {
  const token = query.get("token");
  if (!token)
    return narrowPage("Accept invitation", alertBox("error", "This link has no invitation token. Open the link from the e-mail again."));
  try {
    const org = await unwrap(api.v1.invites.accept.$post({ json: { token } }));
    await loadMe();
    return narrowPage(
      "Invitation accepted",
      alertBox("success", `You joined ${org.name} as ${org.role}.`),
      h("p", {}, h("a", { class: "button primary", href: `/orgs/${encodeURIComponent(org.id)}/members` }, `Go to ${org.name}`)),
    );
  } catch (err) {
    return narrowPage("Accept invitation", errorAlert(err), h("p", {}, h("a", { href: "/" }, "Back to Plaza")));
  }
}

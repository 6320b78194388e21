import { h } from "../dom";
import { navigate } from "../router";
import { cachedMe, switchActiveOrg } from "../state/me";
import { createOrgForm } from "../ui/create-org-form";
import { pageHeader, section } from "../ui/page";

/** `/dashboard`: straight to the active org; a new user is asked to create their first one. */
export function homePage(): Node {
  const me = cachedMe();
  if (me?.activeOrgId) {
    navigate(`/orgs/${encodeURIComponent(me.activeOrgId)}/members`, { replace: true });
    return h("div");
  }
  return h(
    "div",
    { class: "stack" },
    pageHeader(`Welcome${me ? `, ${me.user.name}` : ""}`, "Create an org to start publishing and to invite your team."),
    section(
      "Create your first org",
      createOrgForm(async (org) => {
        await switchActiveOrg(org.id);
        navigate(`/orgs/${encodeURIComponent(org.id)}/members`);
      }),
    ),
  );
}

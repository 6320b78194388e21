import type { MeT } from "../../../../shared/api";
import { roleAtLeast } from "../../../../shared/roles";
import { h } from "../../dom";
import { activeMembership } from "../../state/me";
import { alertBox } from "../../ui/alert";
import { noOrgContent } from "../../ui/no-org";
import { pageHeader } from "../../ui/page";

/** The active org when its webhooks are the user's to manage (admins and owners), else what to show instead. */
export function webhooksOrg(): { org: MeT["orgs"][number] } | { content: Node } {
  const org = activeMembership();
  if (!org) return { content: noOrgContent("Webhooks", "Create an org to send its events to your own servers.") };
  if (!roleAtLeast(org.role, "admin"))
    return {
      content: h(
        "div",
        { class: "stack" },
        pageHeader(`Webhooks · ${org.name}`),
        alertBox("info", h("p", {}, `Only admins and owners of ${org.name} manage its webhooks.`)),
      ),
    };
  return { org };
}

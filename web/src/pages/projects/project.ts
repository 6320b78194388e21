/**
 * `/dashboard/projects/:projectId`: one project of the active org. The live editor with who is
 * here and the connection's state, then snapshots, installed items, assets and settings.
 */
import type { ProjectT } from "../../../../shared/projects";
import { roleAtLeast } from "../../../../shared/roles";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import type { PageContext } from "../../router";
import { activeMembership, cachedMe } from "../../state/me";
import { errorAlert } from "../../ui/alert";
import { noOrgContent } from "../../ui/no-org";
import { pageHeader, section } from "../../ui/page";
import { PROJECTS_PATH } from "../paths";
import { assetsSection } from "./assets";
import { itemsSection } from "./installed-items";
import { liveEditor } from "./live-editor";
import { settingsForm } from "./settings";
import { snapshotsSection } from "./snapshots";

export async function projectPage({ params, signal }: PageContext): Promise<Node> {
  const org = activeMembership();
  const me = cachedMe();
  if (!org || !me) return noOrgContent("Project", "Projects belong to an org.");
  const { orgId } = org;
  const { projectId } = params as { projectId: string };

  const loadProject = () => unwrap(api.v1.orgs[":orgId"].projects[":projectId"].$get({ param: { orgId, projectId } }));

  let project: ProjectT = await loadProject();
  const canEdit = project.role === "write";
  const isAdmin = roleAtLeast(org.role, "admin");

  const reload = async () => {
    try {
      project = await loadProject();
      if (!signal.aborted) renderProject();
    } catch (err) {
      replace(header, errorAlert(err));
    }
  };
  const items = itemsSection({ orgId, projectId, canEdit, reload });
  const assets = assetsSection({ orgId, projectId, canEdit, signal, reload });
  const snapshots = snapshotsSection({ orgId, projectId, canWrite: canEdit, signal });
  const settingsSlot = h("div");
  const header = h("div");

  function renderProject(): void {
    replace(
      header,
      h("p", { class: "breadcrumbs" }, h("a", { href: PROJECTS_PATH }, "Projects")),
      pageHeader(project.name, canEdit ? "You can edit this project." : "You can view this project; editing needs the write role."),
    );
    items.render(project);
    assets.render(project);
    replace(
      settingsSlot,
      settingsForm({
        orgId,
        project,
        canEdit,
        isAdmin,
        onSaved: (saved) => {
          project = { ...project, ...saved };
          renderProject();
        },
      }),
    );
  }

  const [live] = await Promise.all([
    liveEditor({ orgId, projectId, projectName: project.name, user: { id: me.user.id, name: me.user.name }, signal }).catch(
      (err: unknown) => errorAlert(err),
    ),
    snapshots.load(),
    items.loadLibrary(),
  ]);
  renderProject();
  return h(
    "div",
    { class: "stack" },
    header,
    section("Document", live),
    section("Snapshots", ...snapshots.content),
    section("Installed items", ...items.content),
    section("Assets", ...assets.content),
    section("Settings", settingsSlot),
  );
}

/**
 * `/dashboard/projects/:projectId`: one project of the active org. The live editor with who is
 * here and the connection's state, then snapshots, installed items, assets and settings, under one
 * SaveStatus for everything changed on the page.
 *
 * Offline it opens from what the device kept: the project's last copy (the service worker's),
 * with the changes still queued on top, and the document from IndexedDB.
 */
import type { ProjectT } from "../../../../shared/projects";
import { roleAtLeast } from "../../../../shared/roles";
import { api } from "../../api/client";
import { ApiError } from "../../api/errors";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import { clearLocalData } from "../../offline/local-data";
import { heldEdits, projectScope, withPendingEdits } from "../../offline/project-edits";
import { mutationQueue } from "../../offline/queue";
import type { PageContext } from "../../router";
import { activeMembership, cachedMe } from "../../state/me";
import { errorAlert } from "../../ui/alert";
import { noOrgContent } from "../../ui/no-org";
import { pageHeader, section } from "../../ui/page";
import { saveStatus } from "../../ui/save-status";
import { PROJECTS_PATH } from "../paths";
import { assetsSection } from "./assets";
import { conflictChoice } from "./conflict-choice";
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
  const userId = me.user.id;
  const queue = mutationQueue(userId);
  const scope = projectScope(projectId);

  const loadProject = async () => {
    try {
      return await unwrap(api.v1.orgs[":orgId"].projects[":projectId"].$get({ param: { orgId, projectId } }));
    } catch (err) {
      // Gone, or no longer this person's: what this device kept of it goes too.
      if (err instanceof ApiError && (err.status === 403 || err.status === 404)) await clearLocalData({ userId, projectId });
      throw err;
    }
  };

  /** The server's copy as last read, and the one shown: with the edits still queued on top. */
  let saved: ProjectT = await loadProject();
  await queue.loaded;
  const shown = () => withPendingEdits(saved, queue.snapshot().entries);
  const canEdit = saved.role === "write";
  const isAdmin = roleAtLeast(org.role, "admin");

  const reload = async () => {
    try {
      saved = await loadProject();
      if (!signal.aborted) renderProject();
    } catch (err) {
      replace(header, errorAlert(err));
    }
  };
  const status = saveStatus({ queue, scope, signal });
  const items = itemsSection({ orgId, projectId, canEdit, reload });
  const assets = assetsSection({ orgId, projectId, canEdit, signal, reload, queue });
  const snapshots = snapshotsSection({ orgId, projectId, canWrite: canEdit, signal, queue });
  const settingsSlot = h("div");
  const conflictsSlot = h("div");
  const header = h("div");

  function renderHeader(): void {
    const project = shown();
    replace(
      header,
      h("p", { class: "breadcrumbs" }, h("a", { href: PROJECTS_PATH }, "Projects")),
      pageHeader(project.name, canEdit ? "You can edit this project." : "You can view this project; editing needs the write role."),
      status.element,
    );
  }
  /** The form is drawn again only while nobody is typing in it: a redraw would reset their text. */
  function renderSettings(): void {
    if (settingsSlot.contains(document.activeElement)) return;
    replace(settingsSlot, settingsForm({ orgId, current: shown, canEdit, isAdmin, queue }));
  }
  function renderConflicts(): void {
    replace(conflictsSlot, ...heldEdits(queue.snapshot().entries, projectId).map((edit) => conflictChoice({ queue, edit })));
  }
  function renderProject(): void {
    renderHeader();
    items.render(saved);
    assets.render(saved);
    renderSettings();
    renderConflicts();
  }

  // A queued edit that reached Plaza brings the server's copy; any change of the queue may change what is shown.
  const stopApplied = queue.onApplied((entry, body) => {
    if (entry.scope !== scope || entry.method !== "PATCH" || !body) return;
    saved = body as ProjectT;
    renderHeader();
    renderSettings();
  });
  let lastHeld = "";
  const stopQueue = queue.subscribe(() => {
    renderHeader();
    const held = JSON.stringify(heldEdits(queue.snapshot().entries, projectId).map((e) => [e.seq, e.key]));
    if (held !== lastHeld) {
      lastHeld = held;
      renderConflicts();
      renderSettings();
    }
  });
  signal.addEventListener(
    "abort",
    () => {
      stopApplied();
      stopQueue();
    },
    { once: true },
  );

  const [live] = await Promise.all([
    liveEditor({
      orgId,
      projectId,
      projectName: saved.name,
      role: saved.role,
      user: { id: userId, name: me.user.name },
      signal,
      onSync: status.setDoc,
    }).catch((err: unknown) => errorAlert(err)),
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
    section("Settings", conflictsSlot, settingsSlot),
  );
}

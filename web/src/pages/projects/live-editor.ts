/**
 * The live part of a project page: connection status, the collaborative editor and who is here.
 * The document is kept on this device too (offline/local-doc.ts): it opens offline from there,
 * and edits made without a connection reach the room when it is back. Everything it opens
 * (socket, editor, store, listeners) closes when the page's signal aborts.
 */

import * as Y from "yjs";
import type { ProjectRoleT } from "../../../../shared/projects";
import { h } from "../../dom";
import { createCollabEditor } from "../../editor/collab-editor";
import { connectionStatus } from "../../editor/connection-status";
import { presenceList } from "../../editor/presence-list";
import { openRoom } from "../../editor/room-connection";
import { userColor } from "../../editor/user-color";
import { clearLocalData } from "../../offline/local-data";
import { openLocalDoc } from "../../offline/local-doc";
import { alertBox } from "../../ui/alert";
import type { DocSync } from "../../ui/save-status";

export async function liveEditor(o: {
  orgId: string;
  projectId: string;
  projectName: string;
  /** The project's role as its (possibly cached) copy says: the role offline, until the room answers. */
  role: ProjectRoleT;
  user: { id: string; name: string };
  signal: AbortSignal;
  onSync: (sync: DocSync) => void;
}): Promise<HTMLElement> {
  const doc = new Y.Doc();
  const local = await openLocalDoc({ userId: o.user.id, projectId: o.projectId, doc });
  const status = connectionStatus();
  const forget = () => void local.destroy().then(() => clearLocalData({ userId: o.user.id, projectId: o.projectId }));
  let room: Awaited<ReturnType<typeof openRoom>> | undefined;
  const reportSync = () => o.onSync({ unsent: local.hasUnsentEdits(), connected: room?.status().state === "connected" });
  try {
    room = await openRoom({
      orgId: o.orgId,
      projectId: o.projectId,
      doc,
      offlineRole: o.role,
      onStatus: (s) => {
        status.show(s);
        reportSync();
      },
      onAccessLost: forget,
    });
  } catch (err) {
    await local.destroy();
    throw err;
  }
  const { provider } = room;

  // An edit of this person's (not the room's) made while the room is not in sync waits on the device.
  doc.on("update", (_update: Uint8Array, origin: unknown) => {
    // The room's status, not the provider's flags: an offline socket can look open until it closes.
    if (origin === provider || (room?.status().state === "connected" && provider.synced)) return;
    local.markUnsent();
    reportSync();
  });
  // Syncing sends the room whatever it lacks, offline edits included.
  provider.on("sync", (synced: boolean) => {
    if (synced) local.markSent();
    reportSync();
  });
  reportSync();

  const editable = room.role === "write";
  const editorHost = h("div", { class: "project-editor", "data-testid": "project-editor" });
  const collab = createCollabEditor({
    element: editorHost,
    doc,
    provider,
    user: { id: o.user.id, name: o.user.name, color: userColor(o.user.id) },
    editable,
    label: `${o.projectName} document`,
  });
  const presence = presenceList(provider.awareness);

  const close = () => {
    presence.stop();
    collab.destroy();
    room?.destroy();
    void local.destroy();
    doc.destroy();
  };
  if (o.signal.aborted) close();
  else o.signal.addEventListener("abort", close, { once: true });

  return h(
    "div",
    { class: "project-live" },
    h(
      "div",
      { class: "project-editor-column" },
      status.element,
      !editable &&
        alertBox(
          "info",
          h("strong", {}, "Read-only. "),
          "You can watch the document change live; your role in this project does not allow edits.",
        ),
      editorHost,
    ),
    h(
      "aside",
      { class: "project-presence card", "aria-labelledby": "presence-title" },
      h("h2", { id: "presence-title" }, "Here now"),
      presence.element,
    ),
  );
}

/**
 * The live part of a project page: connection status, the collaborative editor and who is here.
 * Everything it opens (socket, editor, listeners) closes when the page's signal aborts.
 */
import * as Y from "yjs";
import { h } from "../../dom";
import { createCollabEditor } from "../../editor/collab-editor";
import { connectionStatus } from "../../editor/connection-status";
import { presenceList } from "../../editor/presence-list";
import { openRoom } from "../../editor/room-connection";
import { userColor } from "../../editor/user-color";
import { alertBox } from "../../ui/alert";

export async function liveEditor(o: {
  orgId: string;
  projectId: string;
  projectName: string;
  user: { id: string; name: string };
  signal: AbortSignal;
}): Promise<HTMLElement> {
  const doc = new Y.Doc();
  const status = connectionStatus();
  const room = await openRoom({ orgId: o.orgId, projectId: o.projectId, doc, onStatus: status.show });
  const editable = room.role === "write";
  const editorHost = h("div", { class: "project-editor", "data-testid": "project-editor" });
  const collab = createCollabEditor({
    element: editorHost,
    doc,
    provider: room.provider,
    user: { id: o.user.id, name: o.user.name, color: userColor(o.user.id) },
    editable,
    label: `${o.projectName} document`,
  });
  const presence = presenceList(room.provider.awareness);

  const close = () => {
    presence.stop();
    collab.destroy();
    room.destroy();
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

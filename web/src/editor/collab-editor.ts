/**
 * The project's live editor: Tiptap bound to the room's Y.Doc (XmlFragment `content`), with the
 * other people's carets, selections, names and colours, and a `typing` flag in awareness that
 * peers read for "is typing".
 */
import "prosemirror-view/style/prosemirror.css";
import "prosemirror-gapcursor/style/gapcursor.css";
import { Editor } from "@tiptap/core";
import Collaboration from "@tiptap/extension-collaboration";
import CollaborationCaret from "@tiptap/extension-collaboration-caret";
import StarterKit from "@tiptap/starter-kit";
import { ySyncPluginKey } from "@tiptap/y-tiptap";
import type YPartyKitProvider from "y-partykit/provider";
import type * as Y from "yjs";

/** The agreed field of the project document (projects-spec.md). */
export const CONTENT_FIELD = "content";
/** "is typing" ends this long after the last local edit. */
export const TYPING_IDLE_MS = 1_500;

export interface PresenceUser {
  id: string;
  name: string;
  color: string;
}

export interface CollabEditor {
  editor: Editor;
  destroy(): void;
}

export function createCollabEditor(o: {
  element: HTMLElement;
  doc: Y.Doc;
  provider: YPartyKitProvider;
  user: PresenceUser;
  editable: boolean;
  label: string;
}): CollabEditor {
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  const awareness = o.provider.awareness;
  const stopTyping = () => {
    clearTimeout(typingTimer);
    if (awareness.getLocalState()?.typing) awareness.setLocalStateField("typing", false);
  };

  const editor = new Editor({
    element: o.element,
    editable: o.editable,
    // Tiptap would add these rules as an inline <style>, which the CSP refuses: they come from the
    // stylesheets imported above (ProseMirror's own), bundled with the editor's chunk.
    injectCSS: false,
    extensions: [
      // Collaboration brings its own Y.js undo manager; StarterKit's history would fight it.
      StarterKit.configure({ undoRedo: false }),
      Collaboration.configure({ document: o.doc, field: CONTENT_FIELD }),
      CollaborationCaret.configure({ provider: o.provider, user: o.user }),
    ],
    editorProps: {
      attributes: {
        class: "project-editor-content",
        role: "textbox",
        "aria-multiline": "true",
        "aria-label": o.label,
        "aria-readonly": String(!o.editable),
      },
    },
    onUpdate: ({ transaction }) => {
      // Changes that arrived from the room carry y-sync's meta; only the user's own edits count.
      if (transaction.getMeta(ySyncPluginKey)?.isChangeOrigin) return;
      if (!awareness.getLocalState()?.typing) awareness.setLocalStateField("typing", true);
      clearTimeout(typingTimer);
      typingTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
    },
    onBlur: stopTyping,
  });

  return {
    editor,
    destroy() {
      stopTyping();
      editor.destroy();
    },
  };
}

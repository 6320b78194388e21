import * as Y from "yjs";

/** The field Tiptap's Collaboration extension keeps the document in (`field: "content"`). */
export const CONTENT_FIELD = "content";

type Node = Y.XmlElement | Y.XmlText | Y.XmlHook;

/** Text of a node: text runs joined as they are, block children one per line. */
function plainText(node: Node | Y.XmlFragment): string {
  if (node instanceof Y.XmlText) {
    return (node.toDelta() as { insert: unknown }[]).map((d) => (typeof d.insert === "string" ? d.insert : "")).join("");
  }
  if (node instanceof Y.XmlHook) return "";
  const children = node.toArray() as Node[];
  const blocks = children.some((c) => c instanceof Y.XmlElement);
  return children.map(plainText).join(blocks ? "\n" : "");
}

/** Decodes a snapshot (a Y.js update) and reads its `content` fragment; null if the bytes are not an update. */
export function inspectSnapshot(update: Uint8Array): { json: string; text: string } | null {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, update);
    const fragment = doc.getXmlFragment(CONTENT_FIELD);
    return { json: fragment.toJSON(), text: plainText(fragment) };
  } catch {
    return null;
  } finally {
    doc.destroy();
  }
}

/** Whether bytes decode as a Y.js update (read, not applied): the check the room makes before a restore. */
export function isYjsUpdate(bytes: Uint8Array): boolean {
  try {
    Y.decodeUpdate(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The state of an empty document: what a project that was never edited holds. */
export const emptyDocument = () => Y.encodeStateAsUpdate(new Y.Doc());

// replaceDocumentContent on plain Y.Docs: every kind of root ends equal to the snapshot's, and a
// peer that only receives the restore's update converges too.

import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { RestoreConflict, replaceDocumentContent } from "./document-restore";
import { DocumentSizeGuard } from "./document-size";

/** A document as the room holds it: built from an update, so its roots are still untyped. */
function asRoomDoc(source: Y.Doc): Y.Doc {
  const doc = new Y.Doc({ gc: false });
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(source));
  return doc;
}

function projectDoc(version: string): Y.Doc {
  const doc = new Y.Doc();
  const heading = new Y.XmlElement("heading");
  heading.setAttribute("level", "2");
  heading.insert(0, [new Y.XmlText(`title ${version}`)]);
  doc.getXmlFragment("content").insert(0, [heading]);
  doc.getText("notes").insert(0, `notes ${version}`, { bold: true });
  doc.getMap("settings").set("theme", version);
  const nested = new Y.Map();
  nested.set("v", version);
  doc.getMap("settings").set("nested", nested);
  doc.getArray("tags").insert(0, [version, { at: version }]);
  return doc;
}

describe("replaceDocumentContent", () => {
  it("makes every root equal to the snapshot's and a peer converges from the update alone", () => {
    const live = asRoomDoc(projectDoc("live"));
    live.getMap("only-live").set("x", 1);
    const peer = asRoomDoc(live);
    live.on("update", (update: Uint8Array) => Y.applyUpdate(peer, update));
    const snapshot = projectDoc("saved");

    replaceDocumentContent(live, Y.encodeStateAsUpdate(snapshot), "restore");

    for (const doc of [live, peer]) {
      expect(doc.getXmlFragment("content").toString()).toBe(snapshot.getXmlFragment("content").toString());
      expect(doc.getText("notes").toDelta()).toEqual([{ insert: "notes saved", attributes: { bold: true } }]);
      expect(doc.getMap("settings").toJSON()).toEqual({ theme: "saved", nested: { v: "saved" } });
      expect(doc.getArray("tags").toJSON()).toEqual(["saved", { at: "saved" }]);
      expect(doc.getMap("only-live").size).toBe(0);
    }
  });

  it("changes nothing when a root's type clashes with the live one", () => {
    const live = new Y.Doc();
    live.getText("notes").insert(0, "text");
    const snapshot = new Y.Doc();
    snapshot.getMap("notes").set("k", "v");
    expect(() => replaceDocumentContent(live, Y.encodeStateAsUpdate(snapshot), "restore")).toThrow(RestoreConflict);
    expect(live.getText("notes").toString()).toBe("text");
  });
});

describe("DocumentSizeGuard", () => {
  it("admits edits up to the cap and refuses the one that would cross it", () => {
    const doc = new Y.Doc({ gc: false });
    const guard = new DocumentSizeGuard(doc, 2_000);
    const edit = (text: string) => {
      const other = new Y.Doc();
      Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
      other.getText("body").insert(0, text);
      return Y.encodeStateAsUpdate(other, Y.encodeStateVector(doc));
    };
    for (let i = 0; i < 15; i++) {
      const update = edit("x".repeat(100));
      expect(guard.admits(update)).toBe(true);
      Y.applyUpdate(doc, update);
    }
    expect(guard.admits(edit("y".repeat(600)))).toBe(false);
    expect(guard.size()).toBeLessThanOrEqual(2_000);
  });
});

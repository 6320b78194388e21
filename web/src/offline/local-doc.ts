/**
 * A project's Y.js document kept on this device (IndexedDB through y-indexeddb), so edits made
 * offline survive a reload or a browser restart and reach the room, merged by Y.js, once it is
 * reachable again. One database per user and project: signing out or losing access to the
 * project deletes it (local-data.ts).
 */
import { IndexeddbPersistence } from "y-indexeddb";
import type * as Y from "yjs";
import { unsentKey } from "./unsent-docs";

export const localDocName = (userId: string, projectId: string) => `plaza:doc:${userId}:${projectId}`;

export interface LocalDoc {
  /** Edits the room has not received yet, made now or before a reload. */
  hasUnsentEdits(): boolean;
  markUnsent(): void;
  markSent(): void;
  destroy(): Promise<void>;
}

/** Loads what this device kept of the document into `doc` and keeps every later change. */
export async function openLocalDoc(o: { userId: string; projectId: string; doc: Y.Doc }): Promise<LocalDoc> {
  const persistence = new IndexeddbPersistence(localDocName(o.userId, o.projectId), o.doc);
  await persistence.whenSynced;
  const key = unsentKey(o.userId, o.projectId);
  return {
    hasUnsentEdits: () => localStorage.getItem(key) === "1",
    markUnsent: () => localStorage.setItem(key, "1"),
    markSent: () => localStorage.removeItem(key),
    destroy: () => persistence.destroy(),
  };
}

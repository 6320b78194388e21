/**
 * Drafts of forms a person may leave half-written (a review): kept in IndexedDB as they type, per
 * user, so a reload, a closed tab or a lost connection does not lose them. Deleted once what they
 * hold reached Plaza, or with the person's other local data when they sign out.
 */
import { type DBSchema, openDB } from "idb";

interface DraftsDb extends DBSchema {
  drafts: { key: string; value: { value: unknown; savedAt: number } };
}

const open = (userId: string) =>
  openDB<DraftsDb>(`plaza:drafts:${userId}`, 1, {
    upgrade(db) {
      db.createObjectStore("drafts");
    },
    // Signing out deletes this database: let it go rather than block the deletion.
    blocking(_current, _next, event) {
      (event.target as IDBDatabase).close();
    },
  });

async function withDb<T>(userId: string, use: (db: Awaited<ReturnType<typeof open>>) => Promise<T>): Promise<T> {
  const db = await open(userId);
  try {
    return await use(db);
  } finally {
    db.close();
  }
}

export const loadDraft = <T>(userId: string, key: string) =>
  withDb(userId, async (db) => (await db.get("drafts", key)) as { value: T; savedAt: number } | undefined);

export const saveDraft = (userId: string, key: string, value: unknown) =>
  withDb(userId, (db) => db.put("drafts", { value, savedAt: Date.now() }, key).then(() => undefined));

export const deleteDraft = (userId: string, key: string) => withDb(userId, (db) => db.delete("drafts", key));

/**
 * What Plaza keeps on this device about a person, and deleting it. Names follow one scheme:
 * IndexedDB databases (and their localStorage flags) are `plaza:<kind>:<userId>[:<projectId>]`
 * (`plaza:doc:…`, `plaza:queue:…`), Cache Storage caches of API answers start with `plaza-`
 * (the service worker's app shell is Workbox's own cache: it holds nobody's data).
 */

/** The user and project a local name belongs to, or null if it is not one of ours. */
function ownerOf(name: string): { userId: string; projectId?: string } | null {
  const [prefix, kind, userId, projectId] = name.split(":");
  if (prefix !== "plaza" || !kind || !userId) return null;
  return { userId, projectId };
}

function matches(name: string, opts: { userId?: string; projectId?: string }): boolean {
  const owner = ownerOf(name);
  if (!owner) return false;
  if (opts.userId && owner.userId !== opts.userId) return false;
  // A project's data: its documents; per-user stores (the queue) are the lead's to trim.
  if (opts.projectId && owner.projectId !== opts.projectId) return false;
  return true;
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = request.onerror = () => resolve();
    // Still open in another tab: the browser deletes it once that tab closes it; do not wait for that.
    request.onblocked = () => resolve();
  });
}

/**
 * Deletes the matching local data: every IndexedDB database (and localStorage flag) of `userId`
 * (of anyone without it), only those of `projectId` when given, and, when no project is given,
 * the cached API answers (Cache Storage keys them by URL, not by user).
 */
export async function clearLocalData(opts: { userId?: string; projectId?: string } = {}): Promise<void> {
  const databases = typeof indexedDB?.databases === "function" ? await indexedDB.databases() : [];
  const names = databases.flatMap((db) => (db.name && matches(db.name, opts) ? [db.name] : []));
  for (const key of Object.keys(localStorage)) if (matches(key, opts)) localStorage.removeItem(key);
  const caches = !opts.projectId && "caches" in globalThis ? globalThis.caches : undefined;
  const cacheNames = caches ? (await caches.keys()).filter((name) => name.startsWith("plaza-")) : [];
  await Promise.all([...names.map(deleteDatabase), ...cacheNames.map((name) => caches!.delete(name))]);
}

/**
 * "Offline copy from <time>": when the network is gone the service worker answers the dashboard's
 * reads from its cache, stamped with `x-plaza-offline-copy: <ISO time stored>` (src/sw.ts). The
 * signed-in fetch notes each such answer here, and the page shell shows the oldest of the current
 * page as one notice above it.
 */
import { h } from "../dom";
import { formatDateTime } from "../format";
import { OFFLINE_COPY_HEADER } from "../offline/cached-paths";

let oldest: number | null = null;
const notice = h("p", { class: "offline-copy", role: "status", hidden: true });

/** Called with every API answer: one from the cache marks the page as an offline copy. */
export function noteOfflineCopy(res: Response): void {
  const stored = Date.parse(res.headers.get(OFFLINE_COPY_HEADER) ?? "");
  if (Number.isNaN(stored) || (oldest !== null && oldest <= stored)) return;
  oldest = stored;
  notice.textContent = `Offline copy from ${formatDateTime(stored)}`;
  notice.hidden = false;
}

/** A new page is being built: what the last one was built from no longer counts. */
export function resetOfflineCopy(): void {
  oldest = null;
  notice.hidden = true;
  notice.textContent = "";
}

/** The shell's notice (one element, moved into each new layout). */
export const offlineCopyNotice = () => notice;

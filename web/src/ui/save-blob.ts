import { h } from "../dom";

/**
 * Saves a blob under `name` through a temporary object URL: how a download that needs the
 * Authorization header (a project's asset, a CSV export) reaches the browser's downloads.
 */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Persistent storage: without it the browser may evict Plaza's offline copies (IndexedDB, Cache
 * Storage) when the disk runs low. Asked for once per page load, after sign-in; browsers remember
 * their answer (Chromium decides by itself, Firefox asks the person once).
 */
import { h } from "../dom";

export type StoragePersistence = "granted" | "refused" | "unsupported";

let asked: Promise<StoragePersistence> | null = null;

async function ask(): Promise<StoragePersistence> {
  const storage = navigator.storage;
  if (typeof storage?.persist !== "function") return "unsupported";
  try {
    return (await storage.persisted()) || (await storage.persist()) ? "granted" : "refused";
  } catch {
    return "unsupported";
  }
}

export function storagePersistence(): Promise<StoragePersistence> {
  asked ??= ask();
  return asked;
}

const MESSAGES: Record<StoragePersistence, string> = {
  granted: "Offline copies are kept on this device.",
  refused: "Your browser may delete offline copies when space runs low; changes not yet sent would be lost.",
  unsupported: "This browser does not say whether it keeps offline copies; it may delete them when space runs low.",
};

/** What the browser's answer means for the person: a paragraph filled in once it is known. */
export function storagePersistenceNotice(): HTMLElement {
  const notice = h("p", { class: "muted storage-persistence", "data-testid": "storage-persistence" });
  void storagePersistence().then((answer) => {
    notice.dataset.persistence = answer;
    notice.textContent = MESSAGES[answer];
  });
  return notice;
}

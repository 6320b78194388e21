import { h } from "../dom";
import type { AlertKind } from "./alert";

const TOAST_MS = 5_000;
let region: HTMLElement | null = null;

/** Short confirmations and errors of actions that have no form of their own (org switch, revoke). */
export function toast(message: string, kind: AlertKind = "success"): void {
  if (!region?.isConnected) {
    region = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(region);
  }
  const item = h("div", { class: `toast toast-${kind}` }, message);
  region.append(item);
  setTimeout(() => item.remove(), TOAST_MS);
}

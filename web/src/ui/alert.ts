import { asApiError } from "../api/errors";
import { type Child, h } from "../dom";
import { describeError } from "./messages";

export type AlertKind = "error" | "success" | "info";

export function alertBox(kind: AlertKind, ...children: Child[]): HTMLDivElement {
  // Errors interrupt (role=alert); confirmations are announced politely.
  return h("div", { class: `alert alert-${kind}`, role: kind === "error" ? "alert" : "status" }, ...children);
}

export function errorAlert(err: unknown): HTMLDivElement {
  return alertBox("error", describeError(asApiError(err)));
}

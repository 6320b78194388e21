/** The room connection's state in words, announced politely to screen readers as it changes. */
import { h, replace } from "../dom";
import type { RoomStatus } from "./room-connection";

/** Reasons come from the room with or without a full stop. */
const sentence = (text: string) => (/[.!?…]$/.test(text) ? text : `${text}.`);

export function describeStatus(status: RoomStatus): string {
  switch (status.state) {
    case "connecting":
      return "Connecting…";
    case "connected":
      return "Connected";
    case "offline":
      return "Offline: your edits are kept on this device and sent when the connection returns.";
    case "reconnecting":
      return `Offline${status.reason ? ` (${status.reason})` : ""}: reconnecting in ${status.inSeconds} s…`;
    case "refused":
      return `The room refused the connection: ${sentence(status.reason)}${status.retrying ? " Trying again shortly…" : ""}`;
  }
}

export function connectionStatus(): { element: HTMLElement; show: (status: RoomStatus) => void } {
  const text = h("span", {});
  // A final refusal needs a fresh start: reloading opens a new document from the room.
  const reconnect = h("button", { type: "button", class: "button small", onclick: () => location.reload() }, "Reconnect");
  const action = h("span", {});
  const element = h(
    "div",
    { class: "connection-status", role: "status", "data-testid": "connection-status" },
    h("span", { class: "status-dot", "aria-hidden": "true" }),
    text,
    action,
  );
  const show = (status: RoomStatus) => {
    element.dataset.state = status.state;
    replace(text, describeStatus(status));
    replace(action, status.state === "refused" && !status.retrying ? reconnect : null);
  };
  show({ state: "connecting" });
  return { element, show };
}

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
    case "reconnecting":
      return `Offline${status.reason ? ` (${status.reason})` : ""}: reconnecting in ${status.inSeconds} s…`;
    case "refused":
      return `The room refused the connection: ${sentence(status.reason)}${status.retrying ? " Trying again shortly…" : ""}`;
  }
}

export function connectionStatus(): { element: HTMLElement; show: (status: RoomStatus) => void } {
  const text = h("span", {});
  const reload = h("button", { type: "button", class: "button small", hidden: true, onclick: () => location.reload() }, "Reconnect");
  const element = h("div", { class: "connection-status", role: "status", "data-testid": "connection-status" }, h("span", { class: "status-dot", "aria-hidden": "true" }), text, " ", reload);
  const show = (status: RoomStatus) => {
    element.dataset.state = status.state;
    replace(text, describeStatus(status));
    // A final refusal needs a fresh start: reloading opens a new document from the room.
    reload.hidden = !(status.state === "refused" && !status.retrying);
  };
  show({ state: "connecting" });
  return { element, show };
}

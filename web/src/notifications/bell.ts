/**
 * The header's bell: the unread count, and a popover of the latest notifications with "Mark all
 * read" and "See all". A native popover: Escape and a click elsewhere close it, and focus goes
 * back to the bell when it was inside.
 */
import { h, replace, uniqueId } from "../dom";
import { NOTIFICATION_SETTINGS_PATH, NOTIFICATIONS_PATH } from "../pages/paths";
import { busy } from "../ui/busy";
import { notificationEntry } from "./entry";
import "./notifications.css";
import { markAllRead, type NotificationsView, watchNotifications } from "./store";

const SVG = "http://www.w3.org/2000/svg";

/** Drawn, not an emoji: not every system has an emoji font. */
function bellIcon(): SVGSVGElement {
  const svg = document.createElementNS(SVG, "svg");
  for (const [name, value] of Object.entries({ class: "bell-icon", viewBox: "0 0 24 24", "aria-hidden": "true", focusable: "false" }))
    svg.setAttribute(name, value);
  for (const d of ["M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9", "M13.7 21a2 2 0 0 1-3.4 0"]) {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

export const bellLabel = (unreadCount: number | null) => `Notifications, ${unreadCount ?? 0} unread`;

export function notificationBell(o: { userId: string; signal: AbortSignal }): HTMLElement {
  const popoverId = uniqueId("notifications");
  const headingId = uniqueId("notifications-title");
  const badge = h("span", { class: "bell-count", "aria-hidden": "true" });
  const button = h(
    "button",
    { type: "button", class: "button small bell", popovertarget: popoverId, "aria-label": bellLabel(null) },
    bellIcon(),
    badge,
  );
  const list = h("ul", { class: "notification-list" });
  const markAll = h("button", { type: "button", class: "button small", onclick: () => void busy(markAll, markAllRead) }, "Mark all read");
  const popover = h(
    "div",
    { id: popoverId, popover: "auto", class: "bell-popover", role: "dialog", "aria-labelledby": headingId },
    h("h2", { id: headingId }, "Notifications"),
    list,
    h(
      "div",
      { class: "bell-actions" },
      markAll,
      h("a", { href: NOTIFICATIONS_PATH }, "See all"),
      h("a", { href: NOTIFICATION_SETTINGS_PATH }, "Settings"),
    ),
  );
  // A link followed from the list leaves the popover open over the next page otherwise.
  popover.addEventListener("click", (event) => {
    if ((event.target as Element).closest("a[href]")) popover.hidePopover();
  });

  const render = ({ unreadCount, latest }: NotificationsView) => {
    button.setAttribute("aria-label", bellLabel(unreadCount));
    badge.textContent = unreadCount ? String(unreadCount > 99 ? "99+" : unreadCount) : "";
    badge.hidden = !unreadCount;
    replace(
      list,
      latest.length > 0
        ? latest.map((notification) => notificationEntry(notification))
        : h("li", { class: "empty" }, "No notifications yet."),
    );
  };
  watchNotifications({ userId: o.userId, signal: o.signal, onChange: render });
  return h("div", { class: "bell-wrap" }, button, popover);
}

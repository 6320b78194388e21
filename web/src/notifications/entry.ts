/** One notification as the bell's list and the notifications page show it. */
import type { NotificationT } from "../../../shared/notifications";
import { asApiError } from "../api/errors";
import { h } from "../dom";
import { formatDateTime, formatRelative } from "../format";
import { describeError } from "../ui/messages";
import { toast } from "../ui/toast";
import { markRead } from "./store";

/**
 * Its title opens its link (the router takes app paths, the browser the rest) and marks it read on
 * the way; one without a link has a "Mark read" button instead. `onRead` gets it as read, to draw again.
 */
export function notificationEntry(notification: NotificationT, onRead?: (read: NotificationT) => void): HTMLLIElement {
  const unread = notification.readAt === null;
  const read = () => {
    onRead?.({ ...notification, readAt: Date.now() });
    void markRead(notification).catch((err: unknown) => toast(describeError(asApiError(err)), "error"));
  };
  const title = notification.link
    ? h("a", { href: notification.link, class: "notification-title", onclick: read }, notification.title)
    : h("span", { class: "notification-title" }, notification.title);
  const { createdAt } = notification;
  return h(
    "li",
    { class: "notification", "data-unread": unread, "data-notification-id": notification.id },
    h("p", {}, title, unread && h("span", { class: "badge unread" }, "Unread")),
    notification.body && h("p", { class: "notification-body" }, notification.body),
    h(
      "p",
      { class: "notification-meta muted" },
      h("time", { datetime: new Date(createdAt).toISOString(), title: formatDateTime(createdAt) }, formatRelative(createdAt)),
      unread && !notification.link && h("button", { type: "button", class: "button small", onclick: read }, "Mark read"),
    ),
  );
}

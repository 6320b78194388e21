/** /notifications: every notification of the signed-in person, or the unread ones, newest first, with Load more. */
import type { NotificationT } from "../../../shared/notifications";
import { api } from "../api/client";
import { unwrap } from "../api/unwrap";
import { h, replace } from "../dom";
import { NOTIFICATION_SETTINGS_PATH, NOTIFICATIONS_PATH } from "../pages/paths";
import type { PageContext } from "../router";
import { cachedMe } from "../state/me";
import { busy } from "../ui/busy";
import { pageHeader } from "../ui/page";
import { notificationEntry } from "./entry";
import { markAllRead, watchNotifications } from "./store";

const PAGE_SIZE = 20;

function filterLink(label: string, href: string, current: boolean): HTMLElement {
  return h("a", { href, "aria-current": current ? "page" : undefined }, label);
}

export async function notificationsPage({ query, signal }: PageContext): Promise<Node> {
  const unreadOnly = query.get("filter") === "unread";
  const list = h("ul", { class: "notification-list", "aria-label": unreadOnly ? "Unread notifications" : "All notifications" });
  const empty = h("p", { class: "empty", hidden: true }, unreadOnly ? "No unread notifications." : "No notifications yet.");
  const shown = new Map<string, { notification: NotificationT; element: HTMLLIElement }>();
  const draw = (notification: NotificationT) => {
    const element = notificationEntry(notification, (read) => shown.get(read.id)?.element.replaceWith(draw(read)));
    shown.set(notification.id, { notification, element });
    empty.hidden = true;
    return element;
  };

  let cursor: string | null = null;
  const more = h("button", { type: "button", class: "button", onclick: () => void busy(more, loadPage) }, "Load more");
  const moreSlot = h("div", { class: "load-more" });
  async function loadPage() {
    const page = await unwrap(
      api.v1.me.notifications.$get({
        query: { limit: String(PAGE_SIZE), ...(cursor && { cursor }), ...(unreadOnly && { unread: "true" }) },
      }),
    );
    if (signal.aborted) return;
    list.append(...page.data.filter((n) => !shown.has(n.id)).map(draw));
    cursor = page.nextCursor;
    replace(moreSlot, cursor !== null && more);
    empty.hidden = shown.size > 0;
  }
  await loadPage();

  const markAll = h(
    "button",
    {
      type: "button",
      class: "button small",
      onclick: () =>
        void busy(markAll, async () => {
          await markAllRead();
          redrawAllRead();
        }),
    },
    "Mark all read",
  );
  const redrawAllRead = () => {
    const now = Date.now();
    for (const { notification, element } of [...shown.values()])
      if (notification.readAt === null) element.replaceWith(draw({ ...notification, readAt: now }));
  };

  // Live: what arrives while the page is open goes on top; the bell's latest at arrival are on the page already.
  let known: Set<string> | null = null;
  watchNotifications({
    userId: cachedMe()?.user.id ?? "",
    signal,
    onChange: ({ latest, unreadCount }) => {
      if (known === null) {
        known = new Set(latest.map((n) => n.id));
        return;
      }
      const arrived = latest.filter((n) => !known?.has(n.id) && !shown.has(n.id) && (!unreadOnly || n.readAt === null));
      for (const n of latest) known.add(n.id);
      list.prepend(...arrived.map(draw));
      // Marked all read elsewhere (the bell).
      if (unreadCount === 0) redrawAllRead();
    },
  });

  return h(
    "div",
    { class: "stack" },
    pageHeader(
      "Notifications",
      "Sales, refunds, reviews and other news of your orgs and purchases. ",
      h("a", { href: NOTIFICATION_SETTINGS_PATH }, "Choose what reaches you and how"),
      ".",
    ),
    h(
      "div",
      { class: "notification-filter" },
      h(
        "nav",
        { class: "tabs", "aria-label": "Show" },
        filterLink("All", NOTIFICATIONS_PATH, !unreadOnly),
        filterLink("Unread", `${NOTIFICATIONS_PATH}?filter=unread`, unreadOnly),
      ),
      markAll,
    ),
    h("div", { class: "card" }, list, empty, moreSlot),
  );
}

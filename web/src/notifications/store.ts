/**
 * What the bell and the notifications page share: the signed-in person's unread count and latest
 * notifications, kept current by the live stream for as long as one of them is on screen (the bell
 * is in every signed-in header, so: while signed in).
 */
import type { NotificationT } from "../../../shared/notifications";
import { api } from "../api/client";
import { unwrap } from "../api/unwrap";
import { notificationStream } from "./stream";

/** How many the bell's list shows. */
export const LATEST_COUNT = 8;

export interface NotificationsView {
  /** null until the server has said. */
  unreadCount: number | null;
  /** Newest first. */
  latest: NotificationT[];
}

type Listener = (view: NotificationsView) => void;

const EMPTY: NotificationsView = { unreadCount: null, latest: [] };
let owner: string | null = null;
let view = EMPTY;
let loaded = false;
const listeners = new Set<Listener>();
let stream: { stop(): void } | null = null;
let stopTimer: ReturnType<typeof setTimeout> | undefined;

function update(next: Partial<NotificationsView>): void {
  view = { ...view, ...next };
  for (const listener of listeners) listener(view);
}

const newestFirst = (a: NotificationT, b: NotificationT) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1);

function arrived(notification: NotificationT): void {
  if (view.latest.some((n) => n.id === notification.id)) return;
  const latest = [notification, ...view.latest].sort(newestFirst).slice(0, LATEST_COUNT);
  // The server's `unread` event follows with the exact count; until then count this one.
  const unreadCount = view.unreadCount !== null && notification.readAt === null ? view.unreadCount + 1 : view.unreadCount;
  update({ latest, unreadCount });
}

async function loadLatest(): Promise<void> {
  const forUser = owner;
  const list = await unwrap(api.v1.me.notifications.$get({ query: { limit: String(LATEST_COUNT) } }));
  if (owner !== forUser) return;
  loaded = true;
  update({ latest: list.data, unreadCount: list.unreadCount });
}

function startStream(): void {
  if (stream) return;
  stream = notificationStream({
    lastEventId: view.latest[0]?.id ?? null,
    onNotification: arrived,
    onUnread: (unreadCount) => {
      update({ unreadCount });
      // The first load found no network: the stream now does, so the list can be read too.
      if (!loaded) void loadLatest().catch(() => undefined);
    },
    onReconnectedWithoutId: () => void loadLatest().catch(() => undefined),
  });
}

function stopStream(): void {
  stream?.stop();
  stream = null;
}

/**
 * Calls `onChange` with the current view now and on every change until `signal` aborts. The first
 * watcher of a person loads their latest notifications, then starts the stream; it stops once
 * nobody watches (the signed-out pages have no bell).
 */
export function watchNotifications(o: { userId: string; signal: AbortSignal; onChange: Listener }): void {
  if (o.signal.aborted) return;
  clearTimeout(stopTimer);
  if (owner !== o.userId) {
    stopStream();
    owner = o.userId;
    view = EMPTY;
    loaded = false;
  }
  listeners.add(o.onChange);
  o.onChange(view);
  start(o.userId);
  o.signal.addEventListener(
    "abort",
    () => {
      listeners.delete(o.onChange);
      // A new page's header watches again as soon as it is drawn: stop only if none did.
      if (listeners.size === 0) stopTimer = setTimeout(stopStream, 0);
    },
    { once: true },
  );
}

let starting: Promise<void> | null = null;

/** Loaded first, so the stream's Last-Event-ID is the newest one shown. */
function start(forUser: string): void {
  if (stream || starting) return;
  starting = (loaded ? Promise.resolve() : loadLatest().catch(() => undefined)).finally(() => {
    starting = null;
    if (listeners.size === 0 || !owner) return;
    // Another person signed in meanwhile: start over for them.
    if (owner === forUser) startStream();
    else start(owner);
  });
}

function markedRead(ids: Set<string> | "all", wasUnread: number): void {
  const now = Date.now();
  update({
    latest: view.latest.map((n) => (n.readAt === null && (ids === "all" || ids.has(n.id)) ? { ...n, readAt: now } : n)),
    unreadCount: ids === "all" ? 0 : view.unreadCount === null ? null : Math.max(0, view.unreadCount - wasUnread),
  });
}

/**
 * Marks one notification read. Sent with `keepalive`, so it completes when its link leaves the app
 * (a full page load); the count drops at once and the stream's next `unread` corrects it if needed.
 */
export async function markRead(notification: NotificationT): Promise<void> {
  if (notification.readAt !== null) return;
  markedRead(new Set([notification.id]), 1);
  await unwrap(
    api.v1.me.notifications[":notificationId"].read.$post({ param: { notificationId: notification.id } }, { init: { keepalive: true } }),
  );
}

export async function markAllRead(): Promise<void> {
  await unwrap(api.v1.me.notifications["read-all"].$post());
  markedRead("all", 0);
}

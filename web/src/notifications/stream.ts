/**
 * Live notifications: the Worker's `GET /v1/me/notifications/stream` (Server-Sent Events) read with
 * the signed-in fetch, since EventSource cannot send the Authorization header, and parsed with
 * eventsource-parser. The server ends each stream after about a minute; the client then connects
 * again after the server's `retry:`, and after a failure with a growing, jittered wait. Last-Event-ID
 * carries the newest notification seen, so the server sends what arrived in between. Nothing is
 * tried while the browser is offline (it resumes on `online`) or once the session is gone.
 */
import { EventSourceParserStream } from "eventsource-parser/stream";
import { z } from "zod";
import { Notification, type NotificationT } from "../../../shared/notifications";
import { authorizedFetch } from "../api/authorized-fetch";
import { api } from "../api/client";
import { isLoggedIn } from "../auth/session";
import { onConnectivity } from "../offline/network";

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
/**
 * The server writes at least a `: ping` every 2 s; a connection silent for this long is dead though
 * it looks open (a network change, a proxy holding it), so it is dropped and made again.
 */
const STALL_MS = 15_000;
const UnreadEvent = z.object({ unreadCount: z.number().int() });

export interface StreamHandlers {
  /** The newest notification already shown, so the first connection misses nothing before it. */
  lastEventId: string | null;
  onNotification(notification: NotificationT): void;
  onUnread(unreadCount: number): void;
  /** A connection after the first opened without Last-Event-ID: what arrived meanwhile is not resent. */
  onReconnectedWithoutId(): void;
}

/** Connects now and keeps connected until `stop()`. */
export function notificationStream(o: StreamHandlers): { stop(): void } {
  let lastEventId = o.lastEventId;
  let stopped = false;
  let connection: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let connections = 0;
  /** What the server asked for with `retry:` before connecting again after it ended a stream. */
  let serverRetryMs = FIRST_RETRY_MS;

  const handle = (event: { event?: string | undefined; id?: string | undefined; data: string }) => {
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (event.event === "notification") {
      const notification = Notification.safeParse(data);
      if (!notification.success) return;
      lastEventId = event.id || notification.data.id;
      o.onNotification(notification.data);
    } else if (event.event === "unread") {
      const unread = UnreadEvent.safeParse(data);
      if (unread.success) o.onUnread(unread.data.unreadCount);
    }
  };

  /** Reads one stream to its end. */
  const read = async (controller: AbortController): Promise<"ended" | "failed" | "signed-out"> => {
    let stall: ReturnType<typeof setTimeout> | undefined;
    const alive = () => {
      clearTimeout(stall);
      stall = setTimeout(() => controller.abort(), STALL_MS);
    };
    alive();
    try {
      const headers = new Headers({ accept: "text/event-stream" });
      if (lastEventId) headers.set("last-event-id", lastEventId);
      const url = api.v1.me.notifications.stream.$url().pathname;
      const res = await authorizedFetch(url, { headers, signal: controller.signal, cache: "no-store" });
      // A 401 that survived the refresh: the session is over (the app goes to the login page).
      if (res.status === 401) return "signed-out";
      if (!res.ok || !res.body) return "failed";
      failures = 0;
      if (connections++ > 0 && !lastEventId) o.onReconnectedWithoutId();
      const events = res.body
        .pipeThrough(new TextDecoderStream())
        .pipeThrough(new EventSourceParserStream({ onRetry: (ms) => (serverRetryMs = ms), onComment: alive }))
        .getReader();
      for (;;) {
        const { done, value } = await events.read();
        if (done) return "ended";
        alive();
        handle(value);
      }
    } finally {
      clearTimeout(stall);
    }
  };

  const connect = async () => {
    timer = undefined;
    if (stopped || connection || !navigator.onLine) return;
    if (!isLoggedIn()) return stop();
    const controller = new AbortController();
    connection = controller;
    const outcome = await read(controller).catch(() => "failed" as const);
    // Let go of by disconnect() or stop() (offline, signed out), as opposed to failed or stalled.
    const dropped = connection !== controller;
    if (!dropped) connection = null;
    if (outcome === "signed-out") return stop();
    if (stopped || dropped) return;
    const ended = outcome === "ended";
    if (!ended) failures++;
    // Jittered, so tabs dropped together (a deploy) do not all come back at the same moment.
    const backoff = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(failures - 1, 5)) * (0.5 + Math.random() / 2);
    timer = setTimeout(() => void connect(), ended ? serverRetryMs : backoff);
  };

  const disconnect = () => {
    clearTimeout(timer);
    timer = undefined;
    connection?.abort();
    connection = null;
  };

  const stopConnectivity = onConnectivity((online) => {
    disconnect();
    if (online) void connect();
  });

  function stop() {
    stopped = true;
    stopConnectivity();
    disconnect();
  }

  void connect();
  return { stop };
}

import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { Ctx } from "../context";
import type { KeysetPosition } from "../db/keyset";
import type { AppEnv } from "../env";
import { newestPosition, positionOfNotification, streamCheck } from "./service";

/** How often the stream looks for new rows, and how long one connection lasts before the client reconnects. */
export const STREAM_POLL_MS = 2_000;
export const STREAM_LIFETIME_MS = 60_000;
/** Sent with the first and last message: reconnect after this long once the stream ends. */
const RETRY_MS = 1_000;

/**
 * The user's notifications as Server-Sent Events: `unread` ({ unreadCount }) first, whenever it
 * changes and after every batch of rows, `notification` per new row (id = its id, so a reconnect's Last-Event-ID resumes after
 * it), `: ping` comments between. D1 has no change feed, so it reads every STREAM_POLL_MS (one
 * round trip: about 32 queries per connection, within a Worker invocation's query limit); it ends
 * after STREAM_LIFETIME_MS (the client reconnects with Last-Event-ID) or when the client goes away;
 * with `follow=false` it ends after one look.
 */
export function notificationStream(
  c: Context<AppEnv>,
  ctx: Ctx,
  { userId, lastEventId, follow }: { userId: string; lastEventId: string | undefined; follow: boolean },
) {
  return streamSSE(c, async (stream) => {
    // Not following: send what is pending (a catch-up after Last-Event-ID) once, then end.
    const endsAt = follow ? Date.now() + STREAM_LIFETIME_MS : 0;
    const resumed = lastEventId ? await positionOfNotification(ctx, userId, lastEventId) : null;
    let position: KeysetPosition | null = resumed ?? (await newestPosition(ctx, userId));
    let unread: number | undefined;
    const tellUnread = async (count: number, evenIfUnchanged = false) => {
      if (count === unread && !evenIfUnchanged) return;
      unread = count;
      await stream.writeSSE({ event: "unread", data: JSON.stringify({ unreadCount: count }), retry: RETRY_MS });
    };
    do {
      const next = await streamCheck(ctx, userId, position);
      // The count first on connecting; afterwards after the rows it counts.
      if (unread === undefined) await tellUnread(next.unreadCount);
      for (const notification of next.notifications) {
        await stream.writeSSE({ event: "notification", id: notification.id, data: JSON.stringify(notification) });
        position = { createdAt: notification.createdAt, id: notification.id };
      }
      // After rows, always: a client counts each unread row it is sent (it cannot wait for a count
      // that may not come), so the count right after them corrects it even when the server's did
      // not change (sent first on connecting, or one row read elsewhere as another arrived).
      await tellUnread(next.unreadCount, next.notifications.length > 0);
      if (next.notifications.length === 0) await stream.write(": ping\n\n");
      if (Date.now() < endsAt) await stream.sleep(STREAM_POLL_MS);
    } while (!stream.aborted && Date.now() < endsAt);
    if (!stream.aborted) await stream.write(`retry: ${RETRY_MS}\n\n`);
  });
}

import { createRoute, z } from "@hono/zod-openapi";
import { Cursor } from "../../../shared/api";
import { Notification, NotificationList, NotificationPreferences, NotificationPreferencesUpdate } from "../../../shared/notifications";
import { requirePrincipal, requireSession } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, json, jsonBody, noContent, notFoundError } from "../http/openapi-helpers";
import { getPreferences, updatePreferences } from "./preferences";
import * as service from "./service";
import { notificationStream } from "./stream";

const tag = ["Notifications"];
const ListQuery = z.object({
  cursor: Cursor.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  /** `true`: only the unread ones. */
  unread: z.enum(["true", "false"]).default("false"),
});
const StreamQuery = z.object({
  /** `false`: send what is pending (after Last-Event-ID) and end, instead of following for a minute. */
  follow: z.enum(["true", "false"]).default("true"),
});
const NotificationParams = z.object({ notificationId: z.string().max(100) });

/**
 * The caller's own notifications and preferences. Reading takes `profile:read` on an API token;
 * changing them (read marks, preferences) is for the signed-in session: tokens have no profile write scope.
 */
export const notificationRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/me/notifications",
      tags: tag,
      summary: "Your notifications, newest first, with the unread count",
      security: bearer,
      request: { query: ListQuery },
      responses: { 200: json(NotificationList, "A page of notifications"), ...authErrors },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "profile:read");
      const { cursor, limit, unread } = c.req.valid("query");
      return c.json(await service.listNotifications(c.var.ctx, { userId: p.userId, cursor, limit, unread: unread === "true" }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/me/notifications/stream",
      tags: tag,
      summary: "Live notifications as Server-Sent Events (read with fetch: it needs the Authorization header)",
      description:
        "`event: unread` (data {unreadCount}) first and after changes, `event: notification` (data a Notification, id its id) for each new one, `: ping` comments. Honours Last-Event-ID; ends after about a minute with `retry:`.",
      security: bearer,
      request: { query: StreamQuery },
      responses: { 200: { description: "An event stream", content: { "text/event-stream": { schema: z.string() } } }, ...authErrors },
    }),
    (c) => {
      const p = requirePrincipal(c.get("principal"), "profile:read");
      const follow = c.req.valid("query").follow === "true";
      return notificationStream(c, c.var.ctx, { userId: p.userId, lastEventId: c.req.header("Last-Event-ID"), follow });
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/me/notifications/read-all",
      tags: tag,
      summary: "Mark all your notifications read",
      security: bearer,
      responses: { ...noContent, ...authErrors },
    }),
    async (c) => {
      const p = requireSession(c.get("principal"));
      await service.markAllRead(c.var.ctx, p.userId);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/me/notifications/{notificationId}/read",
      tags: tag,
      summary: "Mark one of your notifications read",
      security: bearer,
      request: { params: NotificationParams },
      responses: { 200: json(Notification, "The notification, read"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const p = requireSession(c.get("principal"));
      return c.json(await service.markRead(c.var.ctx, { userId: p.userId, notificationId: c.req.valid("param").notificationId }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/me/notification-preferences",
      tags: tag,
      summary: "Where each type of notification goes: in-app, e-mail, both or none",
      security: bearer,
      responses: { 200: json(NotificationPreferences, "Every type's channel"), ...authErrors },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "profile:read");
      return c.json(await getPreferences(c.var.ctx, p.userId), 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/v1/me/notification-preferences",
      tags: tag,
      summary: "Change the channel of some types (the others keep theirs); answers every type",
      security: bearer,
      request: jsonBody(NotificationPreferencesUpdate),
      responses: { 200: json(NotificationPreferences, "Every type's channel"), ...authErrors },
    }),
    async (c) => {
      const p = requireSession(c.get("principal"));
      return c.json(await updatePreferences(c.var.ctx, p.userId, c.req.valid("json").preferences), 200);
    },
  );

import { and, eq, inArray, sql } from "drizzle-orm";
import {
  NOTIFICATION_TYPES,
  type NotificationChannelT,
  type NotificationPreferencesT,
  type NotificationTypeT,
} from "../../../shared/notifications";
import type { Ctx } from "../context";
import { notificationPreferences } from "./tables";

/** Types that were e-mailed before notifications existed keep their e-mail by default; the rest start in-app only. */
const DEFAULT_CHANNEL: Record<NotificationTypeT, NotificationChannelT> = {
  sale: "in_app",
  refund: "in_app",
  dispute_opened: "both",
  dispute_closed: "in_app",
  payment_failed: "in_app",
  payout_problem: "both",
  review: "in_app",
  review_reply: "in_app",
  invite: "in_app",
  webhook_endpoint_disabled: "both",
  item_unlisted: "in_app",
};

export const sendsInApp = (channel: NotificationChannelT) => channel === "in_app" || channel === "both";
export const sendsEmail = (channel: NotificationChannelT) => channel === "email" || channel === "both";

/** Each user's channel for `type` (their choice, else the default). */
export async function channelsFor(
  ctx: Pick<Ctx, "db">,
  type: NotificationTypeT,
  userIds: string[],
): Promise<Map<string, NotificationChannelT>> {
  const chosen = userIds.length
    ? await ctx.db
        .select({ userId: notificationPreferences.userId, channel: notificationPreferences.channel })
        .from(notificationPreferences)
        .where(and(eq(notificationPreferences.type, type), inArray(notificationPreferences.userId, userIds)))
    : [];
  const byUser = new Map(chosen.map((row) => [row.userId, row.channel]));
  return new Map(userIds.map((userId) => [userId, byUser.get(userId) ?? DEFAULT_CHANNEL[type]]));
}

/** Every type with the user's channel. */
export async function getPreferences(ctx: Pick<Ctx, "db">, userId: string): Promise<NotificationPreferencesT> {
  const rows = await ctx.db
    .select({ type: notificationPreferences.type, channel: notificationPreferences.channel })
    .from(notificationPreferences)
    .where(eq(notificationPreferences.userId, userId));
  const chosen = new Map(rows.map((row) => [row.type, row.channel]));
  return {
    preferences: Object.fromEntries(NOTIFICATION_TYPES.map((type) => [type, chosen.get(type) ?? DEFAULT_CHANNEL[type]])) as Record<
      NotificationTypeT,
      NotificationChannelT
    >,
  };
}

/** Sets the given types (the others keep theirs) and answers every type. */
export async function updatePreferences(
  ctx: Pick<Ctx, "db">,
  userId: string,
  changes: Partial<Record<NotificationTypeT, NotificationChannelT>>,
): Promise<NotificationPreferencesT> {
  const now = Date.now();
  const rows = Object.entries(changes).map(([type, channel]) => ({
    userId,
    type: type as NotificationTypeT,
    channel: channel as NotificationChannelT,
    updatedAt: now,
  }));
  if (rows.length > 0)
    await ctx.db
      .insert(notificationPreferences)
      .values(rows)
      .onConflictDoUpdate({
        target: [notificationPreferences.userId, notificationPreferences.type],
        set: { channel: sql`excluded.channel`, updatedAt: now },
      });
  return getPreferences(ctx, userId);
}

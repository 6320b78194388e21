/** Notification shapes: a user's in-app notifications and their per-type channel preferences. */
import { z } from "zod";

export const NOTIFICATION_TYPES = [
  "sale",
  "refund",
  "dispute_opened",
  "dispute_closed",
  "payment_failed",
  "payout_problem",
  "review",
  "review_reply",
  "invite",
  "webhook_endpoint_disabled",
  "item_unlisted",
] as const;
export const NotificationType = z.enum(NOTIFICATION_TYPES).meta({ id: "NotificationType" });
export type NotificationTypeT = z.infer<typeof NotificationType>;

/** Where a notification of a type goes: the in-app list, an e-mail, both or nowhere. */
export const NotificationChannel = z.enum(["in_app", "email", "both", "none"]).meta({ id: "NotificationChannel" });
export type NotificationChannelT = z.infer<typeof NotificationChannel>;

export const Notification = z
  .object({
    id: z.string(),
    type: NotificationType,
    title: z.string(),
    body: z.string(),
    /** An app path like /dashboard/earnings, or null when there is nothing to open. */
    link: z.string().nullable(),
    orgId: z.string().nullable(),
    createdAt: z.number().int(),
    readAt: z.number().int().nullable(),
  })
  .meta({ id: "Notification" });
export type NotificationT = z.infer<typeof Notification>;

export const NotificationList = z
  .object({ data: z.array(Notification), nextCursor: z.string().nullable(), unreadCount: z.number().int() })
  .meta({ id: "NotificationList" });
export type NotificationListT = z.infer<typeof NotificationList>;

/** Every type is present in answers. */
export const NotificationPreferences = z
  .object({ preferences: z.record(NotificationType, NotificationChannel) })
  .meta({ id: "NotificationPreferences" });
export type NotificationPreferencesT = z.infer<typeof NotificationPreferences>;

/** The PUT body: only the types to change (the answer is the full NotificationPreferences). */
export const NotificationPreferencesUpdate = z
  .object({ preferences: z.partialRecord(NotificationType, NotificationChannel) })
  .meta({ id: "NotificationPreferencesUpdate" });
export type NotificationPreferencesUpdateT = z.infer<typeof NotificationPreferencesUpdate>;

/** What each type is called on the preferences page. */
export const NOTIFICATION_LABELS: Record<NotificationTypeT, string> = {
  sale: "A sale",
  refund: "A refund",
  dispute_opened: "A dispute opened",
  dispute_closed: "A dispute closed",
  payment_failed: "A failed subscription payment",
  payout_problem: "A payout or payments account problem",
  review: "A new review",
  review_reply: "A reply to my review",
  invite: "An invitation to an organization",
  webhook_endpoint_disabled: "A webhook endpoint disabled",
  item_unlisted: "An item unlisted by an operator",
};

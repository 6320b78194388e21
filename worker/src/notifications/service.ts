import { and, count, eq, gt, isNull, or, type SQL } from "drizzle-orm";
import type { NotificationListT, NotificationT, NotificationTypeT } from "../../../shared/notifications";
import type { Role } from "../../../shared/roles";
import { findAccount } from "../auth";
import type { Ctx, Statement } from "../context";
import { derivedId } from "../crypto/random";
import { insertIf } from "../db/insert-if";
import { afterCursor, type KeysetPosition, newestFirst, pageOf } from "../db/keyset";
import { AppError } from "../http/errors";
import { mailInsert, mailInsertIf, notificationMail, type RenderedMail } from "../mail";
import { memberIdsAtLeast } from "../orgs";
import { channelsFor, sendsEmail, sendsInApp } from "./preferences";
import { notifications } from "./tables";

export type NotificationRecipients = { userIds: string[] } | { orgId: string; minRole: Role };

export interface NotificationInput {
  type: NotificationTypeT;
  recipients: NotificationRecipients;
  title: string;
  body: string;
  /** An app path like /dashboard/earnings. */
  link: string | null;
  orgId: string | null;
  /** What caused it (a Stripe object id, a review id): the rows' and mails' ids derive from it, so a replay adds none. */
  cause: string;
  /**
   * The e-mail channel's mail where the event had its own before; by default one made of title, body
   * and link; null when the cause sends its own e-mail anyway (an invite's link), so the channel adds none.
   */
  mail?: RenderedMail | null;
  /** Written only if this holds when the batch runs (the cause is itself conditional: a review only a buyer may write). */
  onlyIf?: SQL;
  now?: number;
}

/** The path of the notification settings page (web app). */
const SETTINGS_PATH = "/settings/notifications";

/**
 * A notification's statements, for the batch of the change that causes it: an in-app row and/or an
 * outbox mail per recipient, as each one's preference for the type says. The caller enqueues
 * `mailIds` after its batch like any other mail.
 */
export async function notificationStatements(
  ctx: Pick<Ctx, "db" | "env">,
  input: NotificationInput,
): Promise<{ statements: Statement[]; mailIds: string[] }> {
  const userIds =
    "userIds" in input.recipients
      ? [...new Set(input.recipients.userIds)]
      : await memberIdsAtLeast(ctx.db, input.recipients.orgId, input.recipients.minRole);
  const channels = await channelsFor(ctx, input.type, userIds);
  const now = input.now ?? Date.now();
  const statements: Statement[] = [];
  const mailIds: string[] = [];
  for (const userId of userIds) {
    const channel = channels.get(userId)!;
    const source = `${input.type}:${input.cause}:${userId}`;
    if (sendsInApp(channel)) {
      const row = {
        id: await derivedId("notification", source),
        userId,
        type: input.type,
        title: input.title,
        body: input.body,
        link: input.link,
        orgId: input.orgId,
        createdAt: now,
      };
      const insert = input.onlyIf ? insertIf(ctx.db, notifications, row, input.onlyIf) : ctx.db.insert(notifications).values(row);
      statements.push(insert.onConflictDoNothing());
    }
    const account = sendsEmail(channel) && input.mail !== null ? await findAccount(ctx.db, userId) : undefined;
    if (account) {
      const mail =
        input.mail ??
        notificationMail({
          title: input.title,
          body: input.body,
          url: `${ctx.env.APP_URL}${input.link ?? "/notifications"}`,
          settingsUrl: `${ctx.env.APP_URL}${SETTINGS_PATH}`,
        });
      const id = await derivedId("mail", `notification:${source}`);
      if (input.onlyIf) statements.push((await mailInsertIf(ctx, { id, to: account.email, mail, onlyIf: input.onlyIf })).insert);
      else statements.push((await mailInsert(ctx, { id, to: account.email, mail })).insert.onConflictDoNothing());
      mailIds.push(id);
    }
  }
  return { statements, mailIds };
}

type NotificationRow = typeof notifications.$inferSelect;

const toNotification = (row: NotificationRow): NotificationT => ({
  id: row.id,
  type: row.type,
  title: row.title,
  body: row.body,
  link: row.link,
  orgId: row.orgId,
  createdAt: row.createdAt,
  readAt: row.readAt,
});

const positionOf = (row: NotificationRow): KeysetPosition => ({ createdAt: row.createdAt, id: row.id });

/** Counted on the partial index of unread rows, so it reads only those. */
const unreadCountQuery = (ctx: Pick<Ctx, "db">, userId: string) =>
  ctx.db
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));

export async function unreadCount(ctx: Pick<Ctx, "db">, userId: string): Promise<number> {
  const [row] = await unreadCountQuery(ctx, userId);
  return row?.n ?? 0;
}

/** The user's notifications, newest first, all or only the unread ones. */
export async function listNotifications(
  ctx: Ctx,
  { userId, cursor, limit, unread }: { userId: string; cursor?: string; limit: number; unread: boolean },
): Promise<NotificationListT> {
  const [rows, unreadTotal] = await Promise.all([
    ctx.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, userId), unread ? isNull(notifications.readAt) : undefined, afterCursor(notifications, cursor)))
      .orderBy(...newestFirst(notifications))
      .limit(limit + 1),
    unreadCount(ctx, userId),
  ]);
  const { page, nextCursor } = pageOf(rows, limit, positionOf);
  return { data: page.map(toNotification), nextCursor, unreadCount: unreadTotal };
}

/** Marks one of the user's notifications read (the first time only); someone else's is not found. */
export async function markRead(ctx: Ctx, { userId, notificationId }: { userId: string; notificationId: string }): Promise<NotificationT> {
  const mine = and(eq(notifications.id, notificationId), eq(notifications.userId, userId));
  const [, [row]] = await ctx.db.batch([
    ctx.db
      .update(notifications)
      .set({ readAt: Date.now() })
      .where(and(mine, isNull(notifications.readAt))),
    ctx.db.select().from(notifications).where(mine),
  ]);
  if (!row) throw new AppError("not_found", "No such notification");
  return toNotification(row);
}

export async function markAllRead(ctx: Ctx, userId: string): Promise<void> {
  await ctx.db
    .update(notifications)
    .set({ readAt: Date.now() })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
}

/** The position of the user's newest notification (where a stream without Last-Event-ID starts). */
export async function newestPosition(ctx: Ctx, userId: string): Promise<KeysetPosition | null> {
  const [row] = await ctx.db
    .select({ createdAt: notifications.createdAt, id: notifications.id })
    .from(notifications)
    .where(eq(notifications.userId, userId))
    .orderBy(...newestFirst(notifications))
    .limit(1);
  return row ?? null;
}

/** The position of one of the user's notifications (a Last-Event-ID), if it is theirs. */
export async function positionOfNotification(ctx: Ctx, userId: string, notificationId: string): Promise<KeysetPosition | null> {
  const [row] = await ctx.db
    .select({ createdAt: notifications.createdAt, id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.id, notificationId), eq(notifications.userId, userId)));
  return row ?? null;
}

/**
 * What a stream sends next, in one D1 round trip (a Worker invocation may make only so many
 * queries): the user's notifications after `position`, oldest first, and the unread count.
 */
export async function streamCheck(ctx: Pick<Ctx, "db">, userId: string, position: KeysetPosition | null, limit = 50) {
  const after = position
    ? or(
        gt(notifications.createdAt, position.createdAt),
        and(eq(notifications.createdAt, position.createdAt), gt(notifications.id, position.id)),
      )
    : undefined;
  const [rows, [unread]] = await ctx.db.batch([
    ctx.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, userId), after))
      .orderBy(notifications.createdAt, notifications.id)
      .limit(limit),
    unreadCountQuery(ctx, userId),
  ]);
  return { notifications: rows.map(toNotification), unreadCount: unread?.n ?? 0 };
}

import { findAccountByEmail } from "../auth";
import type { EventHandlers } from "../context";
import { notificationStatements } from "./service";

/** Notifications for events of domains that notifications itself depends on (orgs: a cycle otherwise). */
export const notificationEvents: EventHandlers = {
  /** An invited address that already has an account is told in-app too; its e-mail is the invite's own link mail. */
  "org.invite_created": async (ctx, invite) => {
    const account = await findAccountByEmail(ctx.db, invite.email);
    if (!account) return [];
    const { statements } = await notificationStatements(ctx, {
      type: "invite",
      recipients: { userIds: [account.id] },
      title: `You're invited to ${invite.orgName}`,
      body: `${invite.inviterName} invited you to join ${invite.orgName} as ${invite.role}. The link is in the invitation e-mail sent to ${invite.email}.`,
      link: null,
      orgId: invite.orgId,
      cause: invite.inviteId,
      mail: null,
      now: invite.now,
    });
    return statements;
  },
};

import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq } from "drizzle-orm";
import { MailId, MailListQuery, MailMessage } from "../../../shared/mail";
import { mailMessages } from "../db/schema";
import { requireOperator } from "../http/access";
import { AppError } from "../http/errors";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, conflictError, json, notFoundError } from "../http/openapi-helpers";
import { enqueueMail } from "./outbox";

const tags = ["Operator"];
const listed = {
  id: mailMessages.id,
  to: mailMessages.to,
  subject: mailMessages.subject,
  status: mailMessages.status,
  attempts: mailMessages.attempts,
  lastError: mailMessages.lastError,
  createdAt: mailMessages.createdAt,
  sentAt: mailMessages.sentAt,
};

/** Failed sends are visible to operators and can be sent again (a receipt is rendered afresh). */
export const mailRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/operator/mail",
      tags,
      summary: "Outgoing e-mail by status (default: failed, i.e. retries exhausted), newest first",
      security: bearer,
      request: { query: MailListQuery },
      responses: { 200: json(z.object({ data: z.array(MailMessage) }), "Up to 100 messages, without their bodies"), ...authErrors },
    }),
    async (c) => {
      requireOperator(c.get("principal"), "payments:read");
      const { status, to } = c.req.valid("query");
      const rows = await c
        .get("db")
        .select(listed)
        .from(mailMessages)
        .where(and(eq(mailMessages.status, status), to ? eq(mailMessages.to, to) : undefined))
        .orderBy(desc(mailMessages.createdAt))
        .limit(100);
      return c.json({ data: rows }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/operator/mail/{mailId}/resend",
      tags,
      summary: "Send a failed e-mail again: it is queued with a fresh set of retries",
      security: bearer,
      request: { params: z.object({ mailId: MailId }) },
      responses: { 202: json(MailMessage, "Queued again"), ...authErrors, ...notFoundError, ...conflictError },
    }),
    async (c) => {
      requireOperator(c.get("principal"), "payments:write");
      const db = c.get("db");
      const { mailId } = c.req.valid("param");
      const [requeued] = await db
        .update(mailMessages)
        .set({ status: "queued", lastError: null })
        .where(and(eq(mailMessages.id, mailId), eq(mailMessages.status, "failed")))
        .returning(listed);
      if (!requeued) {
        const known = await db.query.mailMessages.findFirst({ columns: { status: true }, where: eq(mailMessages.id, mailId) });
        if (!known) throw new AppError("not_found", "E-mail not found");
        throw new AppError("conflict", `Only failed e-mail can be re-sent; this one is ${known.status}`);
      }
      await enqueueMail({ env: c.env }, [requeued.id]);
      return c.json(requeued, 202);
    },
  );

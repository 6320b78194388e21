import { createRoute, z } from "@hono/zod-openapi";
import { MailId, MailListQuery, MailMessage } from "../../../shared/mail";
import { requireOperator } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, conflictError, json, notFoundError } from "../http/openapi-helpers";
import { listMail, resendFailedMail } from "./service";

const tags = ["Operator"];

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
      return c.json({ data: await listMail(c.var.ctx, c.req.valid("query")) }, 200);
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
      return c.json(await resendFailedMail(c.var.ctx, { mailId: c.req.valid("param").mailId }), 202);
    },
  );

/** The outbox as operators see it: which e-mail failed, and re-sending it. Bodies are never listed. */
import { z } from "zod";
import { prefixedId } from "./ids";

export const MailId = prefixedId("msg");
export const MAIL_STATUSES = ["queued", "sent", "failed"] as const;

export const MailMessage = z
  .object({
    id: MailId,
    to: z.string(),
    subject: z.string(),
    status: z.enum(MAIL_STATUSES),
    attempts: z.number().int(),
    lastError: z.string().nullable().meta({ description: "The transport's last refusal, for a failed or retrying send" }),
    createdAt: z.number().int(),
    sentAt: z.number().int().nullable(),
  })
  .meta({ id: "MailMessage" });
export type MailMessageT = z.infer<typeof MailMessage>;

export const MailListQuery = z.object({
  status: z.enum(MAIL_STATUSES).default("failed"),
  to: z.string().email().optional().meta({ description: "Only mail to this address" }),
});

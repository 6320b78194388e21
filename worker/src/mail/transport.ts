import { truncateText } from "../../../shared/text";
import type { Env } from "../env";

export interface OutgoingMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  readonly name: "mailbox" | "cloudflare" | "http";
  send(mail: OutgoingMail): Promise<void>;
}

const DEFAULT_FROM = "Plaza <no-reply@plaza.dev>";

/** In development and tests the D1 outbox row *is* the mailbox (shown at /dev/mailbox). */
const devMailbox: MailTransport = { name: "mailbox", send: async () => {} };

/** `Name <address>` or a bare address, as the send_email binding wants it. */
export function parseSender(from: string): { email: string; name: string } | string {
  const match = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from);
  return match ? { name: match[1]!.replace(/^"|"$/g, ""), email: match[2]! } : from.trim();
}

/**
 * Cloudflare Email Service through the `send_email` binding: DKIM-signed from Plaza's onboarded
 * domain. The outbox id goes in a header, so a message can be traced in Cloudflare's activity log.
 */
function cloudflareTransport(binding: SendEmail, from: string): MailTransport {
  const sender = parseSender(from);
  return {
    name: "cloudflare",
    async send(mail) {
      await binding.send({
        from: sender,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: { "X-Plaza-Message-Id": mail.id },
      });
    },
  };
}

/**
 * An HTTP e-mail API speaking the common `{from,to,subject,text,html}` JSON shape (Resend,
 * Postmark-compatible relays). The message id doubles as the provider's idempotency key.
 */
function httpTransport(url: string, token: string, from: string): MailTransport {
  return {
    name: "http",
    async send(mail) {
      const res = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": mail.id },
        body: JSON.stringify({ from, to: [mail.to], subject: mail.subject, text: mail.text, html: mail.html }),
      });
      if (!res.ok) throw new Error(`mail API answered ${res.status}: ${truncateText(await res.text(), 200)}`);
    },
  };
}

/**
 * `MAIL_TRANSPORT` picks one: `cloudflare` (the EMAIL binding), `http` (MAIL_HTTP_URL and
 * MAIL_HTTP_TOKEN) or `mailbox`. Unset, production uses the binding if it is bound, else the HTTP
 * API; everything else uses the dev mailbox. Production never falls back to the mailbox.
 */
export function transportFor(env: Env): MailTransport {
  const from = env.MAIL_FROM ?? DEFAULT_FROM;
  const production = env.ENVIRONMENT === "production";
  const choice = env.MAIL_TRANSPORT ?? (production ? (env.EMAIL ? "cloudflare" : "http") : "mailbox");
  if (choice === "cloudflare") {
    if (!env.EMAIL) throw new Error("MAIL_TRANSPORT=cloudflare needs a send_email binding named EMAIL");
    return cloudflareTransport(env.EMAIL, from);
  }
  if (choice === "http") {
    if (!env.MAIL_HTTP_URL || !env.MAIL_HTTP_TOKEN) throw new Error("The HTTP mail transport needs MAIL_HTTP_URL and MAIL_HTTP_TOKEN");
    return httpTransport(env.MAIL_HTTP_URL, env.MAIL_HTTP_TOKEN, from);
  }
  if (production) throw new Error("The dev mailbox is not a mail transport in production");
  return devMailbox;
}

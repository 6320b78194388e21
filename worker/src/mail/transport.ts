import type { Env } from "../env";

export interface OutgoingMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
}

/** In development and tests the D1 outbox row *is* the mailbox (shown at /dev/mailbox). */
const devMailbox: MailTransport = { send: async () => {} };

/**
 * An HTTP e-mail API speaking the common `{from,to,subject,text,html}` JSON shape (Resend,
 * Postmark-compatible relays). The message id doubles as the provider's idempotency key.
 */
function httpTransport(url: string, token: string, from: string): MailTransport {
  return {
    async send(mail) {
      const res = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": mail.id },
        body: JSON.stringify({ from, to: [mail.to], subject: mail.subject, text: mail.text, html: mail.html }),
      });
      if (!res.ok) throw new Error(`mail API answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    },
  };
}

export function transportFor(env: Env): MailTransport {
  if (env.MAIL_HTTP_URL && env.MAIL_HTTP_TOKEN) {
    return httpTransport(env.MAIL_HTTP_URL, env.MAIL_HTTP_TOKEN, env.MAIL_FROM ?? "Plaza <no-reply@plaza.dev>");
  }
  if (env.ENVIRONMENT === "production") throw new Error("MAIL_HTTP_URL and MAIL_HTTP_TOKEN must be set in production");
  return devMailbox;
}

/**
 * `/operator/mail`: e-mail that did not go out. Dead-lettered mail (its retries used up, status
 * `failed`) can be sent again; mail still retrying shows the transport's last refusal.
 */
import type { MailMessageT } from "../../../../shared/mail";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import { formatDateTime } from "../../format";
import type { PageContext } from "../../router";
import { errorAlert } from "../../ui/alert";
import { busy } from "../../ui/busy";
import { section } from "../../ui/page";
import { dataTable, row } from "../../ui/table";
import { toast } from "../../ui/toast";
import { operatorPage } from "./layout";

function mailTable(caption: string, messages: MailMessageT[], empty: string, resend?: (m: MailMessageT, b: HTMLButtonElement) => void) {
  return dataTable({
    caption,
    headers: ["To", "Subject", "Attempts", "Last error", "Queued", ...(resend ? [""] : [])],
    rows: messages.map((m) => {
      const button = h("button", { type: "button", class: "button small" }, "Resend");
      button.addEventListener("click", () => resend?.(m, button));
      return row(
        { "data-mail-id": m.id },
        m.to,
        m.subject,
        String(m.attempts),
        m.lastError ? h("span", { class: "wrap-anywhere" }, m.lastError) : h("span", { class: "muted" }, "—"),
        h("span", { class: "nowrap" }, formatDateTime(m.createdAt)),
        resend && button,
      );
    }),
    empty,
  });
}

export async function operatorMailPage({ signal }: PageContext): Promise<Node> {
  const deadBody = h("div");
  const retryingBody = h("div");
  const resend = (m: MailMessageT, button: HTMLButtonElement) =>
    void busy(button, async () => {
      await unwrap(api.v1.operator.mail[":mailId"].resend.$post({ param: { mailId: m.id } }));
      toast(`"${m.subject}" to ${m.to} is queued again.`);
      await load();
    });
  const load = async () => {
    try {
      const [failed, queued] = await Promise.all([
        unwrap(api.v1.operator.mail.$get({ query: { status: "failed" } })),
        unwrap(api.v1.operator.mail.$get({ query: { status: "queued" } })),
      ]);
      if (signal.aborted) return;
      replace(deadBody, mailTable("Dead-lettered mail", failed.data, "No dead-lettered mail.", resend));
      // Queued mail without an error is simply on its way.
      const retrying = queued.data.filter((m) => m.lastError !== null);
      replace(retryingBody, mailTable("Mail being retried", retrying, "No mail is being retried."));
    } catch (err) {
      replace(deadBody, errorAlert(err));
      retryingBody.replaceChildren();
    }
  };
  await load();
  return operatorPage(
    "Mail",
    "E-mail the transport refused. After its retries a message is dead-lettered; Resend queues it again with fresh retries (a receipt is rendered afresh).",
    section("Dead-lettered", deadBody),
    section("Retrying", retryingBody),
  );
}

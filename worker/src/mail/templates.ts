/** E-mail bodies, always in both text and HTML; every interpolated value is escaped in HTML. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

function layout(title: string, paragraphs: string[], action: { label: string; url: string }): RenderedMail {
  const text = [...paragraphs, "", `${action.label}: ${action.url}`, "", "— Plaza"].join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;max-width:560px;margin:auto">
<h1 style="font-size:20px">${escapeHtml(title)}</h1>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n")}
<p><a href="${escapeHtml(action.url)}" style="display:inline-block;padding:10px 16px;background:#4f46e5;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(action.label)}</a></p>
<p style="color:#666;font-size:12px">Or paste this link into your browser: ${escapeHtml(action.url)}</p>
</body></html>`;
  return { subject: title, text, html };
}

export function verifyEmailMail(name: string, url: string): RenderedMail {
  return layout(
    "Verify your e-mail for Plaza",
    [`Hi ${name},`, "Confirm this address to finish creating your Plaza account. The link is valid for 24 hours."],
    { label: "Verify e-mail", url },
  );
}

export function inviteMail(inviterName: string, orgName: string, role: string, url: string): RenderedMail {
  return layout(
    `You're invited to ${orgName} on Plaza`,
    [`${inviterName} invited you to join ${orgName} as ${role}.`, "The invitation is valid for 7 days."],
    { label: "Accept invitation", url },
  );
}

export function paymentFailedMail(itemName: string, graceDays: number, url: string): RenderedMail {
  return layout(
    `Your payment for ${itemName} failed`,
    [
      `We could not renew your subscription to ${itemName}.`,
      `You keep access for ${graceDays} more days while the payment is retried; update your payment method to keep it after that.`,
    ],
    { label: "Manage your purchases", url },
  );
}

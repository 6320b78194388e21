/** E-mail bodies, always in both text and HTML; every interpolated value is escaped in HTML. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** A date as e-mails write it: "December 1, 2026" (UTC). */
export const formatLongDate = (ms: number) => new Date(ms).toLocaleDateString("en-US", { dateStyle: "long", timeZone: "UTC" });

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

interface Link {
  label: string;
  url: string;
}

interface Body {
  paragraphs: string[];
  /** A value the reader copies, such as a license key: shown as code. */
  code?: { label: string; value: string };
  /** Further links, one per line (download links). */
  links?: Link[];
  /** Lines below the links, before the button. */
  after?: string[];
  action: Link;
}

const button = (l: Link) =>
  `<p><a href="${escapeHtml(l.url)}" style="display:inline-block;padding:10px 16px;background:#4f46e5;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(l.label)}</a></p>`;

function layout(title: string, body: Body): RenderedMail {
  const { paragraphs, code, links = [], after = [], action } = body;
  const text = [
    ...paragraphs,
    ...(code ? ["", `${code.label}: ${code.value}`] : []),
    ...(links.length ? ["", ...links.map((l) => `${l.label}: ${l.url}`)] : []),
    ...(after.length ? ["", ...after] : []),
    "",
    `${action.label}: ${action.url}`,
    "",
    "— Plaza",
  ].join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;max-width:560px;margin:auto">
<h1 style="font-size:20px">${escapeHtml(title)}</h1>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n")}
${code ? `<p>${escapeHtml(code.label)}:<br><code style="font-size:18px;letter-spacing:1px;background:#f3f4f6;padding:6px 10px;border-radius:4px;display:inline-block">${escapeHtml(code.value)}</code></p>` : ""}
${links.length ? `<ul>${links.map((l) => `<li><a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a></li>`).join("")}</ul>` : ""}
${after.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n")}
${button(action)}
<p style="color:#666;font-size:12px">Or paste this link into your browser: ${escapeHtml(action.url)}</p>
</body></html>`;
  return { subject: title, text, html };
}

export function verifyEmailMail(name: string, url: string): RenderedMail {
  return layout("Verify your e-mail for Plaza", {
    paragraphs: [`Hi ${name},`, "Confirm this address to finish creating your Plaza account. The link is valid for 24 hours."],
    action: { label: "Verify e-mail", url },
  });
}

export function inviteMail(inviterName: string, orgName: string, role: string, url: string): RenderedMail {
  return layout(`You're invited to ${orgName} on Plaza`, {
    paragraphs: [`${inviterName} invited you to join ${orgName} as ${role}.`, "The invitation is valid for 7 days."],
    action: { label: "Accept invitation", url },
  });
}

export function paymentFailedMail(itemName: string, graceDays: number, url: string): RenderedMail {
  return layout(`Your payment for ${itemName} failed`, {
    paragraphs: [
      `We could not renew your subscription to ${itemName}.`,
      `You keep access for ${graceDays} more days while the payment is retried; update your payment method to keep it after that.`,
      "On Purchases, Update payment method opens Stripe's billing page: enter a new card there and pay the open invoice.",
    ],
    action: { label: "Update payment method", url },
  });
}

/** An asynchronous payment (a bank debit) of a one-time purchase failed: nothing was bought or charged. */
export function checkoutPaymentFailedMail(itemName: string, url: string): RenderedMail {
  return layout(`Your payment for ${itemName} did not go through`, {
    paragraphs: [
      `Your bank did not complete the payment for ${itemName}, so the purchase did not go through and you were not charged.`,
      "You can buy it again with another payment method.",
    ],
    action: { label: `Buy ${itemName} again`, url },
  });
}

export function payoutFailedMail(orgName: string, amount: string, reason: string, url: string): RenderedMail {
  return layout(`A payout of ${amount} to ${orgName} failed`, {
    paragraphs: [
      `Stripe could not pay out ${amount} to the bank account of ${orgName}: ${reason}`,
      "The money stays in your Stripe balance. Check your bank details in the Stripe dashboard; the next payout is tried once they are fixed.",
    ],
    action: { label: "Open Payouts", url },
  });
}

export interface DisputeOpenedMail {
  orgName: string;
  itemName: string;
  orderId: string;
  amount: string;
  /** Stripe's reason in words ("fraudulent", "product not received"). */
  reason: string;
  /** The evidence deadline in words; null when Stripe gave none. */
  dueBy: string | null;
  respondUrl: string;
}

export function disputeOpenedMail(d: DisputeOpenedMail): RenderedMail {
  return layout(`A buyer disputed a payment of ${d.amount} to ${d.orgName}`, {
    paragraphs: [
      `The buyer of ${d.itemName} (order ${d.orderId}) disputed the payment of ${d.amount} with their bank. Reason: ${d.reason}.`,
      `The amount and Stripe's dispute fee were taken from your balance, and the buyer's access and license key are frozen until the dispute is decided. If you win, both come back.`,
      d.dueBy ? `Respond with evidence by ${d.dueBy}.` : "Respond with evidence in Stripe.",
    ],
    action: { label: "Respond in Stripe", url: d.respondUrl },
  });
}

export function magicLinkMail(url: string, ttlMinutes: number): RenderedMail {
  return layout("Your Plaza sign-in link", {
    paragraphs: [
      `Use this link to sign in to Plaza. It works once, for ${ttlMinutes} minutes.`,
      "If you did not ask for it, ignore this e-mail: nobody can sign in without the link.",
    ],
    action: { label: "Sign in to Plaza", url },
  });
}

export interface ReceiptMail {
  itemName: string;
  /** The order this receipt is for; null for a subscription started without a charge (metered). */
  order: { id: string; amount: string; date: string } | null;
  /** Sales tax/VAT in the order's amount: the amount before it, the rate ("19 % (DE)"), the tax and the buyer's tax id. */
  tax?: { subtotal: string; rate: string; amount: string; taxId: string | null } | null;
  /** The coupon's line ("SAVE20: −$2.00"), when one was used. */
  discount?: string | null;
  subscription: boolean;
  licenseKey: string;
  downloads: { version: string; url: string }[];
  /** When the download links stop working, in words. */
  linksExpire: string;
  portalUrl: string;
}

export function receiptMail(r: ReceiptMail): RenderedMail {
  const paid = r.order
    ? [`Order ${r.order.id}, ${r.order.date}: ${r.order.amount} paid for ${r.itemName}.`]
    : [`Your subscription to ${r.itemName} has started.`];
  return layout(`Your receipt for ${r.itemName}`, {
    paragraphs: [
      "Thank you for your purchase.",
      ...paid,
      ...(r.tax && r.order
        ? [
            `Subtotal ${r.tax.subtotal}, tax ${r.tax.rate} ${r.tax.amount}, total ${r.order.amount}.${r.tax.taxId ? ` Your tax ID: ${r.tax.taxId}.` : ""}`,
          ]
        : []),
      ...(r.discount ? [`Discount ${r.discount} (included above).`] : []),
      "Keep your license key safe: this e-mail is the only place it is shown in full again.",
    ],
    code: { label: "License key", value: r.licenseKey },
    links: r.downloads.map((d) => ({ label: `Download ${r.itemName} ${d.version}`, url: d.url })),
    after: r.downloads.length
      ? [
          `The download links work until ${r.linksExpire}. After that, get fresh ones from your purchases: sign in with this e-mail address, no password needed.`,
        ]
      : ["Your downloads are on your purchases page: sign in with this e-mail address, no password needed."],
    action: { label: r.subscription ? "Manage your subscription" : "Your purchases", url: r.portalUrl },
  });
}

export interface RefundMail {
  itemName: string;
  orderId: string;
  /** The amount refunded, formatted. */
  amount: string;
  /** Whether the whole order was refunded (access ends) or a part of it. */
  full: boolean;
  portalUrl: string;
}

export function refundMail(r: RefundMail): RenderedMail {
  return layout(`Your refund for ${r.itemName}`, {
    paragraphs: [
      `We refunded ${r.amount} of order ${r.orderId} for ${r.itemName}.`,
      "Depending on your bank, it takes 5 to 10 business days to show on your statement.",
      ...(r.full ? [`With the full refund your access to ${r.itemName} and its license key have ended.`] : []),
    ],
    action: { label: "Your purchases", url: r.portalUrl },
  });
}

export function licenseExpiryMail(itemName: string, date: string, url: string): RenderedMail {
  return layout(`Your ${itemName} license expires on ${date}`, {
    paragraphs: [
      `Your subscription to ${itemName} is canceled, so its license key stops working on ${date}.`,
      "Resume the subscription before then to keep it; nothing changes if you do.",
    ],
    action: { label: "Manage your purchases", url },
  });
}

export function passwordChangedMail(name: string, sessionsUrl: string): RenderedMail {
  return layout("Your Plaza password was changed", {
    paragraphs: [
      `Hi ${name}, the password of your Plaza account was just changed, and every other device was logged out.`,
      "If this was not you, sign in with a link by e-mail at once, set a new password, and review your sessions.",
    ],
    action: { label: "Review your sessions", url: sessionsUrl },
  });
}

/** `skippedKeptDays`: how long events that happen while the endpoint is disabled are kept (the webhook log's retention). */
export function webhookDisabledMail(url: string, reason: string, manageUrl: string, skippedKeptDays: number): RenderedMail {
  return layout("A Plaza webhook endpoint was disabled", {
    paragraphs: [
      `Plaza stopped sending webhooks to ${url}: ${reason}.`,
      `Deliveries that failed are kept until they are recovered. Events that happen while the endpoint is disabled are recorded as skipped and kept for ${skippedKeptDays} days.`,
      "Fix the endpoint, enable it again, and recover the failed and skipped messages since a time: Plaza sends them again one at a time, oldest first.",
    ],
    action: { label: "Manage webhooks", url: manageUrl },
  });
}

/** A notification sent by e-mail (its type's preference says so); `settingsUrl` is where to change that. */
export function notificationMail(n: { title: string; body: string; url: string; settingsUrl: string }): RenderedMail {
  return layout(n.title, {
    paragraphs: [n.body],
    after: [`You get this because of your notification settings: ${n.settingsUrl}`],
    action: { label: "Open in Plaza", url: n.url },
  });
}

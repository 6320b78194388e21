/**
 * The buyer's receipt e-mail: receipt, license key and download links, sent once per license.
 *
 * The row is written in the fulfillment batch, and only if that batch's license row won (the
 * same guard as the one-time reveal), so a replayed or concurrent event never sends a second
 * receipt nor a key that was never issued. The key travels sealed in the row's payload. The body
 * is rendered when the mail consumer sends it, so download links are minted fresh then: after the
 * entitlement exists, and again on a re-send.
 */
import type { SQL } from "drizzle-orm";
import { escapeToBuffer } from "hono/utils/html";
import { MAX_DOWNLOAD_TTL_SECONDS } from "../../../shared/downloads";
import { LEGAL_PAGES, type LegalPage } from "../../../shared/legal";
import { formatMoney } from "../../../shared/money";
import { findItemRef, listVersions } from "../catalog";
import type { Ctx } from "../context";
import { derivedId } from "../crypto/random";
import { mintDownloadLink } from "../downloads";
import { AppError } from "../http/errors";
import { log } from "../http/log";
import { findLicense } from "../licenses";
import { formatLongDate, type RenderedMail, receiptMail, renderedOnSendMailInsert } from "../mail";
import { latestOrderOf } from "../orders";

interface ReceiptPayload {
  licenseId: string;
  licenseKey: string;
}

export const receiptMailId = (licenseId: string) => derivedId("mail", `receipt:${licenseId}`);

/**
 * The receipt's outbox row, written only if `issuedByThisAttempt` holds (the license row holds
 * this attempt's key hash). Put it after the license's statements in the same batch.
 */
export async function receiptStatement(
  ctx: Pick<Ctx, "env" | "db">,
  input: { licenseId: string; key: string; to: string; itemName: string; issuedByThisAttempt: SQL; now: number },
) {
  const id = await receiptMailId(input.licenseId);
  const { insert: statement } = await renderedOnSendMailInsert(ctx, {
    id,
    to: input.to,
    subject: `Your receipt for ${input.itemName}`,
    template: "receipt",
    data: JSON.stringify({ licenseId: input.licenseId, licenseKey: input.key } satisfies ReceiptPayload),
    onlyIf: input.issuedByThisAttempt,
    now: input.now,
  });
  return { id, statement };
}

/** The receipt's tax line: the price before tax, the rate and country, the tax. */
const receiptTax = (order: {
  amount: number;
  currency: string;
  taxAmount: number;
  taxPercentage: number | null;
  taxCountry: string | null;
  taxId: string | null;
}) => ({
  subtotal: formatMoney(order.amount - order.taxAmount, order.currency),
  rate: [order.taxPercentage === null ? null : `${order.taxPercentage} %`, order.taxCountry && `(${order.taxCountry})`]
    .filter(Boolean)
    .join(" "),
  amount: formatMoney(order.taxAmount, order.currency),
  taxId: order.taxId,
});

/** The policies a purchase is under and where to get help, in the receipt's footer. */
const RECEIPT_POLICIES: readonly LegalPage[] = ["refunds", "terms", "license", "support"];

/** The receipt's policy links, absolute on APP_URL (a mail client has no base to resolve a path against). */
export const receiptPolicyLinks = (appUrl: string) =>
  RECEIPT_POLICIES.map((page) => ({ label: LEGAL_PAGES[page].title, url: `${appUrl.replace(/\/+$/, "")}${LEGAL_PAGES[page].path}` }));

const escapeHtml = (s: string) => {
  const buffer: [string] = [""];
  escapeToBuffer(s, buffer);
  return buffer[0];
};

/** Adds the policy links under a rendered receipt: above the signature in text, as a small last paragraph in HTML. */
function withPolicyLinks(mail: RenderedMail, links: { label: string; url: string }[]): RenderedMail {
  const lines = links.map((l) => `${l.label}: ${l.url}`).join("\n");
  const anchors = links.map((l) => `<a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a>`).join(" · ");
  return {
    ...mail,
    // Replacer functions: a `$` in a URL is not a replacement pattern.
    text: mail.text.replace(/\n— Plaza$/, () => `\n${lines}\n\n— Plaza`),
    html: mail.html.replace(/<\/body><\/html>$/, () => `<p style="color:#666;font-size:12px">${anchors}</p>\n</body></html>`),
  };
}

const dateTime = (ms: number) => `${new Date(ms).toLocaleString("en-US", { dateStyle: "long", timeStyle: "short", timeZone: "UTC" })} UTC`;

/**
 * Renders a receipt for sending: the order (a purchase's, or a subscription's newest), the key,
 * and a 7-day link to the newest version the buyer may download (stable, else beta). A buyer
 * whose access ended before the mail went out gets the receipt without links.
 */
export async function renderReceipt({ env, db }: Pick<Ctx, "env" | "db">, data: string, now = Date.now()): Promise<RenderedMail> {
  const payload = JSON.parse(data) as ReceiptPayload;
  const license = await findLicense(db, payload.licenseId);
  const item = license && (await findItemRef(db, license.itemId));
  if (!license || !item) throw new Error(`No license ${payload.licenseId} for a receipt`);
  const [order, live] = await Promise.all([latestOrderOf(db, license), listVersions(db, item.id, { includeYanked: false })]);
  // Newest first: the first of a channel is its newest.
  const version = live.find((v) => v.channel === "stable") ?? live.find((v) => v.channel === "beta");
  const downloads: { version: string; url: string }[] = [];
  let linksExpire = "";
  if (version) {
    try {
      const link = await mintDownloadLink(
        { env, db },
        { entitlementId: license.entitlementId, versionId: version.id, ttlSeconds: MAX_DOWNLOAD_TTL_SECONDS, now },
      );
      downloads.push({ version: link.version, url: link.url });
      linksExpire = dateTime(link.expiresAt);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      log("info", "receipt sent without download links", { licenseId: license.id, reason: err.message });
    }
  }
  const mail = receiptMail({
    itemName: item.name,
    order: order ? { id: order.id, amount: formatMoney(order.amount, order.currency), date: formatLongDate(order.createdAt) } : null,
    tax: order && order.taxAmount > 0 ? receiptTax(order) : null,
    discount:
      order && order.discountAmount > 0 ? `${order.couponCode ?? "coupon"}: −${formatMoney(order.discountAmount, order.currency)}` : null,
    subscription: license.subscriptionId !== null,
    licenseKey: payload.licenseKey,
    downloads,
    linksExpire,
    portalUrl: `${env.APP_URL}/dashboard/purchases`,
  });
  return withPolicyLinks(mail, receiptPolicyLinks(env.APP_URL));
}

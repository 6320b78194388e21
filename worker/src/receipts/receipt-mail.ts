/**
 * The buyer's receipt e-mail: receipt, license key and download links, sent once per license.
 *
 * The row is written in the fulfillment batch, and only if that batch's license row won (the
 * same guard as the one-time reveal), so a replayed or concurrent event never sends a second
 * receipt nor a key that was never issued. The key travels sealed in the row's payload. The body
 * is rendered when the mail consumer sends it, so download links are minted fresh then: after the
 * entitlement exists, and again on a re-send.
 */
import { and, desc, eq, isNull, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { compare } from "semver";
import { MAX_DOWNLOAD_TTL_SECONDS } from "../../../shared/downloads";
import { formatMoney } from "../../../shared/money";
import type { Ctx } from "../context";
import { derivedId } from "../crypto/random";
import { open, seal } from "../crypto/secret-box";
import type { Db } from "../db/client";
import { insertIf } from "../db/insert-if";
import { items, licenses, mailMessages, orders, versions } from "../db/schema";
import { mintDownloadLink } from "../downloads/service";
import type { Env } from "../env";
import { AppError } from "../http/errors";
import { log } from "../http/log";
import { formatLongDate, type RenderedMail, receiptMail } from "../mail";

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
  { env, db }: Pick<Ctx, "env" | "db">,
  input: { licenseId: string; key: string; to: string; itemName: string; issuedByThisAttempt: SQL; now: number },
) {
  const id = await receiptMailId(input.licenseId);
  const payload = await seal(
    env.ENCRYPTION_KEYS,
    JSON.stringify({ licenseId: input.licenseId, licenseKey: input.key } satisfies ReceiptPayload),
  );
  const row = {
    id,
    to: input.to,
    subject: `Your receipt for ${input.itemName}`,
    text: "",
    html: "",
    status: "queued" as const,
    createdAt: input.now,
    template: "receipt" as const,
    payload,
  };
  const statement: BatchItem<"sqlite"> = insertIf(db, mailMessages, row, input.issuedByThisAttempt).onConflictDoNothing();
  return { id, statement };
}

const dateTime = (ms: number) => `${new Date(ms).toLocaleString("en-US", { dateStyle: "long", timeStyle: "short", timeZone: "UTC" })} UTC`;

/**
 * Renders a receipt for sending: the order (a purchase's, or a subscription's newest), the key,
 * and a 7-day link to the newest version the buyer may download (stable, else beta). A buyer
 * whose access ended before the mail went out gets the receipt without links.
 */
export async function renderReceipt(env: Env, db: Db, sealedPayload: string, now = Date.now()): Promise<RenderedMail> {
  const payload = JSON.parse(await open(env.ENCRYPTION_KEYS, sealedPayload)) as ReceiptPayload;
  const [found] = await db
    .select({ license: licenses, item: items })
    .from(licenses)
    .innerJoin(items, eq(items.id, licenses.itemId))
    .where(eq(licenses.id, payload.licenseId))
    .limit(1);
  if (!found) throw new Error(`No license ${payload.licenseId} for a receipt`);
  const { license, item } = found;
  const [order] = await db
    .select()
    .from(orders)
    .where(license.orderId ? eq(orders.id, license.orderId) : eq(orders.subscriptionId, license.subscriptionId ?? ""))
    .orderBy(desc(orders.createdAt))
    .limit(1);

  const live = await db
    .select()
    .from(versions)
    .where(and(eq(versions.itemId, item.id), isNull(versions.yankedAt)));
  const newest = (channel: "stable" | "beta") => live.filter((v) => v.channel === channel).sort((a, b) => compare(b.version, a.version))[0];
  const version = newest("stable") ?? newest("beta");
  const downloads: { version: string; url: string }[] = [];
  let linksExpire = "";
  if (version) {
    try {
      const link = await mintDownloadLink(
        env,
        db,
        { entitlementId: license.entitlementId, versionId: version.id, ttlSeconds: MAX_DOWNLOAD_TTL_SECONDS },
        now,
      );
      downloads.push({ version: link.version, url: link.url });
      linksExpire = dateTime(link.expiresAt);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      log("info", "receipt sent without download links", { licenseId: license.id, reason: err.message });
    }
  }
  return receiptMail({
    itemName: item.name,
    order: order ? { id: order.id, amount: formatMoney(order.amount, order.currency), date: formatLongDate(order.createdAt) } : null,
    subscription: license.subscriptionId !== null,
    licenseKey: payload.licenseKey,
    downloads,
    linksExpire,
    portalUrl: `${env.APP_URL}/dashboard/purchases`,
  });
}

/** What the org's admins are told of its orders (notifications, in the batch that records the change). */
import type Stripe from "stripe";
import { formatMoney } from "../../../shared/money";
import { findItemRef } from "../catalog";
import type { Ctx } from "../context";
import { notificationStatements } from "../notifications";
import type { OrderRow } from "./queries";

const EARNINGS_LINK = "/dashboard/earnings";

/** A sale (a purchase, or a subscription's paid invoice), once per order. */
export async function saleNotice(ctx: Pick<Ctx, "db" | "env">, order: OrderRow, itemId: string) {
  const item = await findItemRef(ctx.db, itemId);
  const name = item?.name ?? "An item";
  const amount = formatMoney(order.amount, order.currency);
  return notificationStatements(ctx, {
    type: "sale",
    recipients: { orgId: order.orgId, minRole: "admin" },
    title: `A sale: ${name}`,
    body: order.kind === "subscription" ? `A subscription payment of ${amount} for ${name}.` : `${name} sold for ${amount}.`,
    link: EARNINGS_LINK,
    orgId: order.orgId,
    cause: order.id,
    now: order.createdAt,
  });
}

/** A refund of an order, once per Stripe refund. */
export async function refundNotices(
  ctx: Pick<Ctx, "db" | "env">,
  input: { order: { id: string; orgId: string; currency: string }; refunds: Stripe.Refund[]; itemId: string | undefined; now: number },
) {
  if (input.refunds.length === 0) return { statements: [], mailIds: [] };
  const item = input.itemId ? await findItemRef(ctx.db, input.itemId) : undefined;
  const notices = await Promise.all(
    input.refunds.map((refund) =>
      notificationStatements(ctx, {
        type: "refund",
        recipients: { orgId: input.order.orgId, minRole: "admin" },
        title: `A refund: ${item?.name ?? "an order"}`,
        body: `${formatMoney(refund.amount, input.order.currency)} of order ${input.order.id} was refunded to the buyer.`,
        link: EARNINGS_LINK,
        orgId: input.order.orgId,
        cause: refund.id,
        now: input.now,
      }),
    ),
  );
  return { statements: notices.flatMap((n) => n.statements), mailIds: notices.flatMap((n) => n.mailIds) };
}

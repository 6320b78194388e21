import { and, eq } from "drizzle-orm";
import type { EventHandlers } from "../context";
import { checkouts } from "./tables";

/** Checkout's reactions to other domains' events. */
export const checkoutEvents: EventHandlers = {
  /** A sale of the checkout is being recorded: the checkout completes in the sale's batch. */
  "sale.recorded": async (ctx, { checkoutId, now }) => [
    ctx.db
      .update(checkouts)
      .set({ status: "complete", completedAt: now })
      .where(and(eq(checkouts.id, checkoutId), eq(checkouts.status, "open"))),
  ],
};

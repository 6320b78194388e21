/** The operator overview: money, disputes, dead letters, failing endpoints and the jobs, read in one D1 batch. */
import type { OperatorOverviewT } from "../../../shared/operator";
import { failedCheckoutCount } from "../checkout";
import type { Ctx } from "../context";
import { openDisputeCount } from "../disputes";
import { deadMailCount } from "../mail";
import { jobSummaries } from "../maintenance";
import type { Runtime } from "../module";
import { orderCountsByStatus } from "../orders";
import { deadStripeEventCount } from "../stripe-events";
import { deadDeliveryCount, failingEndpoints } from "../webhooks";

const countOf = (rows: { n: number }[]) => rows[0]?.n ?? 0;

export async function operatorOverview({ db }: Ctx, runtime: Pick<Runtime, "jobs" | "dailyJobs">): Promise<OperatorOverviewT> {
  const [[orders, failedCheckouts, disputes, mail, stripeEvents, webhooks, endpoints], jobs] = await Promise.all([
    db.batch([
      orderCountsByStatus(db),
      failedCheckoutCount(db),
      openDisputeCount(db),
      deadMailCount(db),
      deadStripeEventCount(db),
      deadDeliveryCount(db),
      failingEndpoints(db),
    ]),
    jobSummaries(db, runtime),
  ]);
  return {
    paymentsByStatus: { ...Object.fromEntries(orders.map((r) => [r.status, r.n])), failed: countOf(failedCheckouts) },
    disputesOpen: countOf(disputes),
    deadLetters: { mail: countOf(mail), stripeEvents: countOf(stripeEvents), webhooks: countOf(webhooks) },
    failingEndpoints: endpoints,
    jobs,
  };
}

import type { EventHandlers } from "../context";
import { rollupStatements } from "./rollups";

/** The daily rollups' writers: each source change recounts the families it touches on the item's days it touched. */
export const analyticsEvents: EventHandlers = {
  // Its ledger entries, and the checkout it completes (checkout's handler, earlier in module order, comes first).
  "sale.recorded": async ({ db }, e) => rollupStatements(db, ["ledger", "checkouts"], { ...e, at: [e.now] }, e.now),
  "order.refunds_booked": async ({ db }, e) => rollupStatements(db, ["ledger", "licenses"], { ...e, at: [e.now] }, e.now),
  "dispute.recorded": async ({ db }, e) =>
    e.itemId ? rollupStatements(db, ["ledger", "disputes"], { orgId: e.orgId, itemId: e.itemId, at: [e.openedAt, e.now] }, e.now) : [],
  // Once a tick, from the downloads tally job: not in each download's batch (a popular item's day is a hot row).
  "downloads.counted": async ({ db }, e) => rollupStatements(db, ["downloads"], e, e.now),
  "checkout.started": async ({ db }, e) => rollupStatements(db, ["checkouts"], { ...e, at: [e.now] }, e.now),
  "checkout.completed": async ({ db }, e) => rollupStatements(db, ["checkouts"], { ...e, at: [e.now] }, e.now),
  // The subscription's license is issued or revoked in the same sync, before these statements.
  "subscription.synced": async ({ db }, e) => rollupStatements(db, ["subscriptions", "licenses"], e, Date.now()),
  "licenses.changed": async ({ db }, e) => rollupStatements(db, ["licenses"], { ...e, at: [e.now] }, e.now),
};

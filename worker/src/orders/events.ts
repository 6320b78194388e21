/** The domain events orders announces. */
declare module "../context" {
  interface DomainEvents {
    /** A sale's statements are being written (checkout completes the checkout in that batch). */
    "sale.recorded": { orderId: string; checkoutId: string; orgId: string; itemId: string; now: number };
    /** A charge's refunds are being booked (refunds, failed ones' counter-entries): handlers' statements run in that batch, after the entries. */
    "order.refunds_booked": { orgId: string; itemId: string; now: number };
    /** A subscription's order was refunded in full, after its batch: billing cancels the subscription. */
    "order.subscription_refunded": { orderId: string; subscriptionId: string };
  }
}

export {};

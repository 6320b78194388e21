/** The domain events orders announces. */
declare module "../context" {
  interface DomainEvents {
    /** A sale's statements are being written (checkout completes the checkout in that batch). */
    "sale.recorded": { orderId: string; checkoutId: string; now: number };
    /** A subscription's order was refunded in full, after its batch: billing cancels the subscription. */
    "order.subscription_refunded": { orderId: string; subscriptionId: string };
  }
}

export {};

/** The domain events checkout announces. */
declare module "../context" {
  interface DomainEvents {
    /** A subscription's Checkout was paid: billing mirrors the subscription and completes the checkout in that batch (`checkoutCompletion`). */
    "checkout.subscription_paid": { sessionId: string; subscriptionId: string };
    /** A checkout closed unpaid (its session expired, or its asynchronous payment failed): release what was held for it, in the closing batch. */
    "checkout.closed": { checkoutId: string; status: "expired" | "failed"; now: number };
    /** A checkout was made (handlers' statements run in its batch, after the row). */
    "checkout.started": { orgId: string; itemId: string; now: number };
    /** A subscription's checkout is being completed (a payment's completes in the sale's batch: `sale.recorded`). */
    "checkout.completed": { orgId: string; itemId: string; now: number };
  }
}

export {};

/** The domain events checkout announces. */
declare module "../context" {
  interface DomainEvents {
    /** A subscription's Checkout was paid: billing mirrors the subscription and completes the checkout in that batch (`checkoutCompletion`). */
    "checkout.subscription_paid": { sessionId: string; subscriptionId: string };
    /** A checkout closed unpaid (its session expired, or its asynchronous payment failed): release what was held for it, in the closing batch. */
    "checkout.closed": { checkoutId: string; status: "expired" | "failed"; now: number };
  }
}

export {};

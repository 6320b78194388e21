/** The domain events checkout announces. */
declare module "../context" {
  interface DomainEvents {
    /** A subscription's Checkout was paid: billing mirrors the subscription and completes the checkout in that batch (`checkoutCompletion`). */
    "checkout.subscription_paid": { sessionId: string; subscriptionId: string };
  }
}

export {};

import type { FormObject } from "./form";
import type { ObjectStore } from "./store";

/**
 * Hono env for every route: the Durable Object hands in the platform's store; `store` in Variables is
 * the one a request acts on (the connected account's, under a `Stripe-Account` header).
 */
export type AppEnv = {
  Bindings: { store: ObjectStore };
  Variables: { params: FormObject; store: ObjectStore };
};

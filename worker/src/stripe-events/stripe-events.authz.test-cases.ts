import { type MatrixCase, PUBLIC, succeedsWith } from "../../test/authz-matrix";

/** Only Stripe's signature admits an event; no credential of ours does. */
const UNSIGNED = succeedsWith(PUBLIC, 400);

export const stripeEventsMatrix: MatrixCase[] = [
  {
    route: "POST /v1/stripe/webhooks",
    public: true,
    build: () => ({ method: "POST", path: "/v1/stripe/webhooks", options: { body: { id: "evt_x" } } }),
    expected: UNSIGNED,
  },
  {
    route: "POST /v1/stripe/connect-webhooks",
    public: true,
    build: () => ({ method: "POST", path: "/v1/stripe/connect-webhooks", options: { body: { id: "evt_x" } } }),
    expected: UNSIGNED,
  },
];

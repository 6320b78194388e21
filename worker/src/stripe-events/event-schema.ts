/**
 * What Plaza trusts of a Stripe event once its signature checks out: an event id to record it
 * once by, a type to route it, and for the types a module handles, what their handler reads of
 * `data.object`. A signed body that is not this is refused before anything is recorded.
 */
import { z } from "zod";

/** Stripe's ids: a prefix, an underscore and letters or digits (`evt_…`, `ch_…`, `cs_test_…`). */
const stripeId = (prefix = "[a-z]+") =>
  z
    .string()
    .max(255)
    .regex(new RegExp(`^${prefix}_[A-Za-z0-9_]+$`), "must be a Stripe id");

const HandledObject = z.looseObject({ id: stripeId() });

/** `data.object` of the handled types whose handler reads more than the id (payout.paid: the ledger books amount and currency). */
const OBJECTS_READ: Partial<Record<string, z.ZodType>> = {
  "payout.paid": HandledObject.extend({ amount: z.number().int().min(0), currency: z.string().regex(/^[a-z]{3}$/) }),
};

const StripeEventEnvelope = z.looseObject({
  id: stripeId("evt"),
  object: z.literal("event"),
  type: z.string().min(1).max(255),
  /** Set on Connect events: the connected account they happened on. */
  account: stripeId("acct").nullish(),
  created: z.number().int().min(0),
  data: z.looseObject({ object: z.record(z.string(), z.unknown()) }),
});

/** The schema of an event; `handled` says which types some module acts on (`runtime.stripeHandlers`). */
export const stripeEventSchema = (handled: (type: string) => boolean) =>
  StripeEventEnvelope.superRefine((event, ctx) => {
    const schema = OBJECTS_READ[event.type] ?? (handled(event.type) ? HandledObject : undefined);
    const object = schema?.safeParse(event.data.object);
    for (const issue of object?.success === false ? object.error.issues : [])
      ctx.addIssue({ code: "custom", message: issue.message, path: ["data", "object", ...issue.path] });
  });

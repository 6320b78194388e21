import { z } from "zod";

/** Stripe's dispute statuses in which the seller may still answer; `won`, `lost` and `warning_closed` are final. */
export const OPEN_DISPUTE_STATUSES = ["needs_response", "under_review", "warning_needs_response", "warning_under_review"] as const;

export const Dispute = z
  .object({
    id: z.string().meta({ description: "Stripe's dispute id", example: "du_1MtJUT2eZvKYlo2CNaw2HvEv" }),
    orderId: z.string(),
    itemId: z.string().nullable(),
    itemName: z.string().nullable(),
    amount: z.number().int(),
    currency: z.string(),
    /** Stripe's reason, e.g. `fraudulent`, `product_not_received`. */
    reason: z.string(),
    /** Stripe's status: `needs_response`, `under_review` (open), `won`, `lost`. */
    status: z.string(),
    open: z.boolean(),
    /** When the evidence is due, ms UTC. */
    evidenceDueBy: z.number().int().nullable(),
    /** Where the dispute is answered: the dispute in the Stripe dashboard. */
    respondUrl: z.string(),
    createdAt: z.number().int(),
  })
  .meta({ id: "Dispute" });
export type DisputeT = z.infer<typeof Dispute>;

export const DisputeList = z.object({ data: z.array(Dispute) }).meta({ id: "DisputeList" });
export const DisputeQuery = z.object({
  state: z.enum(["open", "closed"]).optional().meta({ description: "Only open (still answerable) or closed disputes; all when absent" }),
});

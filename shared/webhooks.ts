/** Bodies of the webhook endpoints API (`/v1/orgs/{orgId}/webhooks/...`), shared by the Worker and web/. */
import { z } from "zod";
import { prefixedId } from "./ids";
import { WEBHOOK_EVENT_TYPES } from "./webhook-events";

const id = prefixedId;
export const WebhookEndpointId = id("ep");
export const WebhookEventId = id("evt");

export const EventTypes = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length)
  .nullable()
  .meta({ description: "Event types to receive; null (or omitted) for every type" });

const endpointFields = {
  url: z.string().trim().max(2000).meta({ description: "https on a public host (http and localhost too when running locally)" }),
  description: z.string().trim().max(500),
  eventTypes: EventTypes,
  enabled: z.boolean(),
  rateLimit: z.number().int().min(1).max(1000).nullable().meta({ description: "Deliveries per second at most; null for no limit" }),
};

export const CreateWebhookEndpointBody = z
  .object({ ...endpointFields, description: endpointFields.description.default(""), eventTypes: endpointFields.eventTypes.default(null), enabled: endpointFields.enabled.default(true), rateLimit: endpointFields.rateLimit.default(null) })
  .meta({ id: "CreateWebhookEndpointBody" });
export const UpdateWebhookEndpointBody = z.object(endpointFields).partial().meta({ id: "UpdateWebhookEndpointBody" });

export const WebhookEndpoint = z
  .object({
    id: WebhookEndpointId,
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()).nullable(),
    enabled: z.boolean(),
    disabledReason: z.string().nullable().meta({ description: "Why Plaza disabled it (410 Gone, 5 days of failures)" }),
    rateLimit: z.number().int().nullable(),
    previousSecretExpiresAt: z.number().int().nullable().meta({ description: "Until then deliveries are also signed with the secret before the last rotation" }),
    createdAt: z.number().int(),
    updatedAt: z.number().int(),
  })
  .meta({ id: "WebhookEndpoint" });
export type WebhookEndpointT = z.infer<typeof WebhookEndpoint>;

export const WebhookEndpointWithSecret = WebhookEndpoint.extend({
  secret: z.string().meta({ description: "`whsec_…`: shown only now. Verify deliveries with any Standard Webhooks library." }),
}).meta({ id: "WebhookEndpointWithSecret" });

export const WebhookAttempt = z
  .object({
    id: z.string(),
    eventId: WebhookEventId,
    endpointId: WebhookEndpointId,
    attempt: z.number().int(),
    statusCode: z.number().int().nullable(),
    latencyMs: z.number().int(),
    response: z.string().nullable().meta({ description: "The first 2 KB of the answer" }),
    error: z.string().nullable(),
    createdAt: z.number().int(),
  })
  .meta({ id: "WebhookAttempt" });

export const WebhookDelivery = z
  .object({
    endpointId: WebhookEndpointId,
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.number().int().nullable(),
  })
  .meta({ id: "WebhookDelivery" });

export const WebhookMessage = z
  .object({
    id: WebhookEventId,
    type: z.string(),
    payload: z.unknown().meta({ description: "The delivered body: `{ type, timestamp, data }`" }),
    createdAt: z.number().int(),
    deliveries: z.array(WebhookDelivery),
  })
  .meta({ id: "WebhookMessage" });

export const RecoverBody = z.object({ since: z.number().int().min(0).meta({ description: "Re-send every failed delivery of this endpoint created since then (ms since the epoch)" }) }).meta({ id: "RecoverBody" });
export const ListQuery = z.object({
  before: z.coerce.number().int().optional().meta({ description: "Cursor: only rows created before this time" }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

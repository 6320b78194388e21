/** Bodies of the webhook endpoints API (`/v1/orgs/{orgId}/webhooks/...`), shared by the Worker and web/. */
import { z } from "zod";
import { TimestampMs } from "./api";
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
  .object({
    ...endpointFields,
    description: endpointFields.description.default(""),
    eventTypes: endpointFields.eventTypes.default(null),
    enabled: endpointFields.enabled.default(true),
    rateLimit: endpointFields.rateLimit.default(null),
  })
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
    previousSecretExpiresAt: z
      .number()
      .int()
      .nullable()
      .meta({ description: "Until then deliveries are also signed with the secret before the last rotation" }),
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

export const WEBHOOK_DELIVERY_STATUSES = ["pending", "delivered", "failed", "skipped"] as const;

export const WebhookDelivery = z
  .object({
    endpointId: WebhookEndpointId,
    status: z.enum(WEBHOOK_DELIVERY_STATUSES).meta({
      description:
        "`pending`: queued, or waiting for its next retry; `delivered`; `failed`: retries ran out, or the endpoint answered 410 or was disabled meanwhile; `skipped`: not sent, the endpoint was disabled when the event happened. `recover` sends failed and skipped ones again.",
    }),
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

export const RecoverBody = z
  .object({
    since: TimestampMs.meta({
      description:
        "Send every failed or skipped delivery of this endpoint created since then (ms since the epoch) again, one at a time, oldest event first",
    }),
  })
  .meta({ id: "RecoverBody" });
/**
 * A place in a newest-first list: base64url of `${createdAt}:${id}`, the last row of a page. Both
 * parts, because many rows can share one millisecond and a time alone would skip some of them.
 */
export interface PagePosition {
  createdAt: number;
  id: string;
}

const toBase64Url = (text: string) => btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

export const encodePageCursor = (position: PagePosition) => toBase64Url(`${position.createdAt}:${position.id}`);

/** The position in a cursor, or undefined if it is not one this API made. */
export function decodePageCursor(cursor: string): PagePosition | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let text: string;
  try {
    text = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    return undefined;
  }
  const match = /^(\d{1,16}):([A-Za-z]+_[A-Za-z0-9]{16,32})$/.exec(text);
  if (!match || !Number.isSafeInteger(Number(match[1]))) return undefined;
  return { createdAt: Number(match[1]), id: match[2]! };
}

export const PageCursor = z
  .string()
  .max(200)
  .refine((cursor) => decodePageCursor(cursor) !== undefined, "is not a valid cursor")
  .meta({ description: "`nextCursor` of the previous page; opaque" });

export const ListQuery = z.object({
  cursor: PageCursor.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type ListQueryT = z.infer<typeof ListQuery>;

/** A page of a newest-first list; `nextCursor` is null on the last page. */
export const webhookPage = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });

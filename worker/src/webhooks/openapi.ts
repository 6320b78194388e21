import type { OpenAPIHono } from "@hono/zod-openapi";
import { WEBHOOK_EVENTS, WEBHOOK_EXAMPLES, type WebhookEventType, webhookPayload } from "../../../shared/webhook-events";

/**
 * The event catalog as OpenAPI 3.1 `webhooks`: one entry per type, with its payload schema and an
 * example, and how to verify the Standard Webhooks headers. `types`: what the modules send.
 */
export function registerWebhookEvents(registry: OpenAPIHono["openAPIRegistry"], types: readonly WebhookEventType[]) {
  for (const type of types) {
    registry.registerWebhook({
      method: "post",
      path: type,
      tags: ["Webhook events"],
      summary: WEBHOOK_EVENTS[type].description,
      description:
        "Sent to each enabled endpoint subscribed to this type, with `webhook-id`, `webhook-timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256>`, space-separated during a secret rotation) as in the Standard Webhooks spec: verify with any Standard Webhooks or Svix library and the endpoint's `whsec_` secret. Answer 2xx within 15 s; anything else is retried after 1 s, 5 s, 1 min and 1 h, and 410 disables the endpoint.",
      request: {
        body: {
          content: {
            "application/json": {
              schema: webhookPayload(type),
              example: { type, timestamp: "2026-12-01T12:00:00.000Z", data: WEBHOOK_EXAMPLES[type] },
            },
          },
        },
      },
      responses: { 200: { description: "Any 2xx: delivered" } },
    });
  }
}

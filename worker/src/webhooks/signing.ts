/**
 * Standard Webhooks signatures, made by the `standardwebhooks` library (the spec's reference
 * implementation), so receivers verify with any Standard Webhooks or Svix library.
 */
import { Webhook } from "standardwebhooks";
import { open, seal } from "../crypto/secret-box";
import type { webhookEndpoints } from "../db/schema";
import type { Env } from "../env";

/** How long the previous secret keeps signing after a rotation. */
export const SECRET_OVERLAP_MS = 24 * 3_600_000;
const SECRET_BYTES = 32;

/** `whsec_` + base64 of 32 random bytes (the spec allows 24–64). */
export function newSigningSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

export const sealSecret = (env: Env, secret: string) => seal(env.ENCRYPTION_KEYS, secret);

type EndpointSecrets = Pick<typeof webhookEndpoints.$inferSelect, "secret" | "previousSecret" | "previousSecretExpiresAt">;

/** The `webhook-signature` header: `v1,<sig>` for the current secret, plus the previous one during its overlap. */
export async function signatureHeader(env: Env, endpoint: EndpointSecrets, messageId: string, timestamp: Date, payload: string, now = Date.now()) {
  const secrets = [await open(env.ENCRYPTION_KEYS, endpoint.secret)];
  if (endpoint.previousSecret && (endpoint.previousSecretExpiresAt ?? 0) > now) secrets.push(await open(env.ENCRYPTION_KEYS, endpoint.previousSecret));
  return secrets.map((s) => new Webhook(s).sign(messageId, timestamp, payload)).join(" ");
}

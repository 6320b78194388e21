/**
 * Standard Webhooks signatures, made by the `standardwebhooks` library (the spec's reference
 * implementation), so receivers verify with any Standard Webhooks or Svix library.
 */
import { Webhook } from "standardwebhooks";
import { open, seal } from "../crypto/secret-box";
import type { Env } from "../env";
import type { webhookEndpoints } from "./tables";

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

/** One signer per secret that signs now: the current one, plus the previous one during its overlap. */
export async function openSigners(env: Env, endpoint: EndpointSecrets, now: number): Promise<Webhook[]> {
  const sealed = [endpoint.secret];
  if (endpoint.previousSecret && (endpoint.previousSecretExpiresAt ?? 0) > now) sealed.push(endpoint.previousSecret);
  return Promise.all(sealed.map(async (s) => new Webhook(await open(env.ENCRYPTION_KEYS, s))));
}

/** The Standard Webhooks `webhook-signature` header: `v1,<sig>` per secret, space-separated. */
export const signatureWith = (signers: Webhook[], messageId: string, timestamp: Date, payload: string) =>
  signers.map((w) => w.sign(messageId, timestamp, payload)).join(" ");

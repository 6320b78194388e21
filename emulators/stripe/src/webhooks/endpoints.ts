import { newId, nowSeconds, randomToken } from "../ids";
import type { ObjectStore } from "../store";

export type WebhookEndpoint = {
  id: string;
  url: string;
  secret: string;
  created: number;
};

/** The endpoint configured through `WEBHOOK_URL`/`WEBHOOK_SECRET` keeps one fixed id. */
export const ENV_ENDPOINT_ID = "we_env";

export const newWebhookSecret = () => `whsec_${randomToken(32)}`;

export function addEndpoint(store: ObjectStore, url: string, secret = newWebhookSecret(), id = newId("webhook_endpoint")) {
  const endpoint: WebhookEndpoint = { id, url, secret, created: nowSeconds() };
  store.sql.exec(
    "INSERT OR REPLACE INTO webhook_endpoints (id, url, secret, created) VALUES (?, ?, ?, ?)",
    id,
    url,
    secret,
    endpoint.created,
  );
  return endpoint;
}

export function listEndpoints(store: ObjectStore): WebhookEndpoint[] {
  return store.sql.exec<WebhookEndpoint>("SELECT id, url, secret, created FROM webhook_endpoints ORDER BY created, id").toArray();
}

export function findEndpoint(store: ObjectStore, id: string): WebhookEndpoint | undefined {
  return store.sql.exec<WebhookEndpoint>("SELECT id, url, secret, created FROM webhook_endpoints WHERE id = ?", id).toArray()[0];
}

export function removeEndpoint(store: ObjectStore, id: string): boolean {
  return store.sql.exec("DELETE FROM webhook_endpoints WHERE id = ?", id).rowsWritten > 0;
}

/** Registers (or, with an empty URL, removes) the endpoint from wrangler vars. */
export function syncEnvEndpoint(store: ObjectStore, url: string | undefined, secret: string | undefined) {
  if (!url) {
    removeEndpoint(store, ENV_ENDPOINT_ID);
    return;
  }
  const existing = findEndpoint(store, ENV_ENDPOINT_ID);
  addEndpoint(store, url, secret || existing?.secret || newWebhookSecret(), ENV_ENDPOINT_ID);
}

import { EVENT_API_VERSION } from "../events";
import { newId, randomToken } from "../ids";
import type { ObjectStore, StripeObject } from "../store";

export type WebhookEndpoint = {
  id: string;
  url: string;
  secret: string;
  created: number;
  /** Event types sent here; `*` is every type. */
  enabled_events: string[];
  /** Connect endpoints get events of connected accounts; platform endpoints get the platform's. */
  connect: boolean;
  description: string | null;
  metadata: Record<string, string>;
  status: "enabled" | "disabled";
};

type Row = Omit<WebhookEndpoint, "enabled_events" | "connect" | "metadata"> & {
  enabled_events: string;
  connect: number;
  metadata: string;
};

/** The endpoints configured through `WEBHOOK_URL` and `CONNECT_WEBHOOK_URL` keep fixed ids. */
export const ENV_ENDPOINT_ID = "we_env";
export const ENV_CONNECT_ENDPOINT_ID = "we_env_connect";

export const newWebhookSecret = () => `whsec_${randomToken(32)}`;

const fromRow = (row: Row): WebhookEndpoint => ({
  ...row,
  enabled_events: JSON.parse(row.enabled_events) as string[],
  connect: row.connect === 1,
  metadata: JSON.parse(row.metadata) as Record<string, string>,
});

export interface EndpointInput {
  url: string;
  secret?: string;
  id?: string;
  connect?: boolean;
  enabledEvents?: string[];
  description?: string | null;
  metadata?: Record<string, string>;
}

export function addEndpoint(store: ObjectStore, input: EndpointInput): WebhookEndpoint {
  const endpoint: WebhookEndpoint = {
    id: input.id ?? newId("webhook_endpoint"),
    url: input.url,
    secret: input.secret ?? newWebhookSecret(),
    created: store.now(),
    enabled_events: input.enabledEvents ?? ["*"],
    connect: input.connect ?? false,
    description: input.description ?? null,
    metadata: input.metadata ?? {},
    status: "enabled",
  };
  saveEndpoint(store, endpoint);
  return endpoint;
}

export function saveEndpoint(store: ObjectStore, endpoint: WebhookEndpoint) {
  store.sql.exec(
    `INSERT OR REPLACE INTO webhook_endpoints (id, url, secret, created, enabled_events, connect, description, metadata, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    endpoint.id,
    endpoint.url,
    endpoint.secret,
    endpoint.created,
    JSON.stringify(endpoint.enabled_events),
    endpoint.connect ? 1 : 0,
    endpoint.description,
    JSON.stringify(endpoint.metadata),
    endpoint.status,
  );
}

export function listEndpoints(store: ObjectStore): WebhookEndpoint[] {
  return store.sql.exec<Row>("SELECT * FROM webhook_endpoints ORDER BY created, id").toArray().map(fromRow);
}

export function findEndpoint(store: ObjectStore, id: string): WebhookEndpoint | undefined {
  const row = store.sql.exec<Row>("SELECT * FROM webhook_endpoints WHERE id = ?", id).toArray()[0];
  return row ? fromRow(row) : undefined;
}

export function removeEndpoint(store: ObjectStore, id: string): boolean {
  return store.sql.exec("DELETE FROM webhook_endpoints WHERE id = ?", id).rowsWritten > 0;
}

/** The enabled endpoints an event goes to: Connect or platform by its `account`, then by type. */
export function endpointsFor(store: ObjectStore, event: { type: string; account: string | null }): WebhookEndpoint[] {
  return listEndpoints(store).filter(
    (endpoint) =>
      endpoint.status === "enabled" &&
      endpoint.connect === Boolean(event.account) &&
      (endpoint.enabled_events.includes("*") || endpoint.enabled_events.includes(event.type)),
  );
}

/** The endpoint as Stripe's API shows it; the secret only in the answer to create. */
export function endpointObject(endpoint: WebhookEndpoint, withSecret = false): StripeObject {
  return {
    id: endpoint.id,
    object: "webhook_endpoint",
    api_version: EVENT_API_VERSION,
    application: null,
    created: endpoint.created,
    description: endpoint.description,
    enabled_events: endpoint.enabled_events,
    livemode: false,
    metadata: endpoint.metadata,
    ...(withSecret ? { secret: endpoint.secret } : {}),
    status: endpoint.status,
    url: endpoint.url,
  };
}

/** Registers (or, with an empty URL, removes) an endpoint from wrangler vars. */
export function syncEnvEndpoint(store: ObjectStore, id: string, url: string | undefined, secret: string | undefined, connect: boolean) {
  if (!url) {
    removeEndpoint(store, id);
    return;
  }
  const existing = findEndpoint(store, id);
  addEndpoint(store, { id, url, secret: secret || existing?.secret || newWebhookSecret(), connect });
}

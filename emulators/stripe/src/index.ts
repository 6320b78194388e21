import { DurableObject } from "cloudflare:workers";
import { createApp } from "./app";
import { ObjectStore } from "./store";
import { deliverDue, nextDeliveryAt } from "./webhooks/delivery";
import { ENV_CONNECT_ENDPOINT_ID, ENV_ENDPOINT_ID, syncEnvEndpoint } from "./webhooks/endpoints";

export interface EmulatorEnv {
  STRIPE_STATE: DurableObjectNamespace<StripeEmulatorState>;
  WEBHOOK_URL?: string;
  WEBHOOK_SECRET?: string;
  /** A Connect endpoint: receives events of connected accounts (those that carry `account`). */
  CONNECT_WEBHOOK_URL?: string;
  CONNECT_WEBHOOK_SECRET?: string;
}

/**
 * The whole emulator's state: one SQLite-backed Durable Object. One object means every request sees
 * one consistent store, requests run one at a time (so idempotency checks cannot race), and webhook
 * retries run from its alarm without a queue.
 */
export class StripeEmulatorState extends DurableObject<EmulatorEnv> {
  private readonly store: ObjectStore;
  private readonly app = createApp();

  constructor(ctx: DurableObjectState, env: EmulatorEnv) {
    super(ctx, env);
    this.store = new ObjectStore(ctx.storage.sql);
    syncEnvEndpoint(this.store, ENV_ENDPOINT_ID, env.WEBHOOK_URL, env.WEBHOOK_SECRET, false);
    syncEnvEndpoint(this.store, ENV_CONNECT_ENDPOINT_ID, env.CONNECT_WEBHOOK_URL, env.CONNECT_WEBHOOK_SECRET, true);
  }

  override async fetch(request: Request): Promise<Response> {
    const response = await this.app.fetch(request, { store: this.store });
    await this.scheduleDeliveries();
    return response;
  }

  override async alarm(): Promise<void> {
    await deliverDue(this.store);
    await this.scheduleDeliveries();
  }

  /** Points the alarm at the earliest pending delivery, if any. */
  private async scheduleDeliveries(): Promise<void> {
    const next = nextDeliveryAt(this.store);
    if (next === undefined) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > next) await this.ctx.storage.setAlarm(next);
  }
}

export default {
  fetch(request, env) {
    return env.STRIPE_STATE.getByName("emulator").fetch(request);
  },
} satisfies ExportedHandler<EmulatorEnv>;

import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, beforeEach, expect, vi } from "vitest";
import type { EmulatorEnv } from "../src/index";
import { admin, EMULATOR_ORIGIN, emulator, waitFor } from "./sdk";

export const state = () => (env as unknown as EmulatorEnv).STRIPE_STATE.getByName("emulator");

export interface Received {
  url: string;
  body: string;
  signature: string;
  type: string;
  account?: string;
  object: { id: string; [field: string]: unknown };
}

/**
 * Intercepts the emulator's webhook POSTs to `http://receiver.test/…` URLs for one test file. Each
 * POST is answered with the next status in `answers` (200 once they run out). The interception stays
 * for the whole file: the Durable Object's alarm delivers in the background, between tests too.
 */
export function useWebhookReceiver() {
  const receiver = { received: [] as Received[], answers: [] as number[] };
  beforeEach(() => {
    receiver.received = [];
    receiver.answers = [];
  });
  beforeAll(() => {
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (!request.url.startsWith("http://receiver.test/")) return realFetch(input, init);
      const body = await request.text();
      const event = JSON.parse(body);
      receiver.received.push({
        url: request.url,
        body,
        signature: request.headers.get("stripe-signature") ?? "",
        type: event.type,
        account: event.account,
        object: event.data.object,
      });
      return new Response(null, { status: receiver.answers.shift() ?? 200 });
    });
  });
  // Deliveries still queued when the file ends would reach the real network once the spy is gone.
  afterAll(async () => {
    await resetEndpoints();
    vi.restoreAllMocks();
  });
  return receiver;
}

/** Replaces whatever endpoints earlier tests in this file registered (storage is per file). */
export async function resetEndpoints() {
  const existing = await admin<{ data: { id: string }[] }>("/webhook_endpoints");
  for (const { id } of existing.data) {
    await emulator.fetch(`${EMULATOR_ORIGIN}/_emulator/webhook_endpoints/${id}`, { method: "DELETE" });
  }
}

/** Registers a receiver endpoint and returns its signing secret. */
export async function addReceiver(options: { path?: string; connect?: boolean; enabled_events?: string[] } = {}): Promise<string> {
  const endpoint = await admin<{ secret: string }>("/webhook_endpoints", {
    url: `http://receiver.test/${options.path ?? "stripe/webhooks"}`,
    ...(options.connect !== undefined ? { connect: options.connect } : {}),
    ...(options.enabled_events ? { enabled_events: options.enabled_events } : {}),
  });
  expect(endpoint.secret).toMatch(/^whsec_/);
  return endpoint.secret;
}

/** Runs the delivery alarm until `match` finds a delivery, or the deadline passes. */
export function delivered(receiver: { received: Received[] }, match: (r: Received) => boolean) {
  return waitFor(async () => {
    await runDurableObjectAlarm(state());
    return receiver.received.find(match);
  });
}

/** Runs the delivery alarm until nothing is pending, so a test can assert what was (not) sent. */
export async function drainDeliveries() {
  await waitFor(async () => {
    await runDurableObjectAlarm(state());
    const { data } = await admin<{ data: { status: string; attempts: number }[] }>("/webhook_deliveries");
    return data.every((d) => d.status !== "pending" || d.attempts > 0) ? true : undefined;
  });
}

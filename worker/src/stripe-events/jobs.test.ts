import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { eventually } from "../../test/eventually";
import { JOBS, runJobs } from "../../test/jobs";

it("re-queues Stripe events recorded but never processed (a lost enqueue), and only stale ones", async () => {
  const old = Date.now() - 10 * 60_000;
  const payload = (id: string) => JSON.stringify({ id, object: "event", type: "balance.available", data: { object: { id: "bal" } } });
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO stripe_events (id, type, payload, status, received_at) VALUES (?, 'balance.available', ?, 'received', ?)",
    ).bind("evt_lost", payload("evt_lost"), old),
    env.DB.prepare(
      "INSERT INTO stripe_events (id, type, payload, status, received_at) VALUES (?, 'balance.available', ?, 'received', ?)",
    ).bind("evt_fresh", payload("evt_fresh"), Date.now()),
  ]);
  const result = await runJobs(Date.now() + 7, env, { "requeue-stale-stripe-events": JOBS["requeue-stale-stripe-events"]! });
  expect(result["requeue-stale-stripe-events"]).toEqual({ status: "succeeded", processed: 1 });
  const status = (id: string) => env.DB.prepare("SELECT status FROM stripe_events WHERE id = ?").bind(id).first<{ status: string }>();
  const lost = await eventually(async () => {
    const row = await status("evt_lost");
    return row?.status === "received" ? undefined : row;
  }, "the re-queued event to be consumed");
  expect(lost?.status).toBe("ignored");
  expect((await status("evt_fresh"))?.status).toBe("received");
});

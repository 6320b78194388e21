import { Hono } from "hono";
import { z } from "zod";
import { billUntil } from "../billing/renewals";
import type { AppEnv } from "../context";
import { invalidRequest } from "../errors";
import { emitEvent } from "../events";
import { newId } from "../ids";
import { intString, parseParams } from "../params";
import type { StripeObject } from "../store";
import { listSchema, paramsSchema, respond, respondList } from "./common";

const createParams = paramsSchema({ frozen_time: intString, name: z.string().optional() });
const advanceParams = paramsSchema({ frozen_time: intString });
const listParams = listSchema({});

/** Stripe deletes test clocks 30 days after creation. */
const LIFETIME_SECONDS = 30 * 86_400;

export type TestClock = StripeObject & { frozen_time: number; status: "ready" | "advancing"; name: string | null };

/**
 * Stripe's test clocks: customers created on one live at its frozen time, and advancing it bills
 * their subscriptions with the same renewal logic as the emulator-wide clock. Stripe advances
 * asynchronously; the emulator finishes within the request, so the answer is already `ready`.
 */
export const testClocks = new Hono<AppEnv>()
  .post("/", (c) => {
    const params = parseParams(createParams, c.var.params);
    const store = c.var.store;
    const clock: TestClock = {
      id: newId("test_helpers.test_clock"),
      object: "test_helpers.test_clock",
      created: store.now(),
      deletes_after: store.now() + LIFETIME_SECONDS,
      frozen_time: params.frozen_time,
      livemode: false,
      name: params.name ?? null,
      status: "ready",
      status_details: {},
    };
    store.insert("test_helpers.test_clock", clock);
    emitEvent(store, "test_helpers.test_clock.created", clock);
    return respond(c, clock);
  })
  .get("/", (c) => respondList(c, c.var.store.all("test_helpers.test_clock"), parseParams(listParams, c.var.params)))
  .get("/:id", (c) => respond(c, c.var.store.get("test_helpers.test_clock", c.req.param("id"))))
  .delete("/:id", (c) => {
    const store = c.var.store;
    const clock = store.get<TestClock>("test_helpers.test_clock", c.req.param("id"));
    store.sql.exec("DELETE FROM objects WHERE id = ?", clock.id);
    emitEvent(store, "test_helpers.test_clock.deleted", clock);
    return c.json({ id: clock.id, object: "test_helpers.test_clock", deleted: true });
  })
  .post("/:id/advance", (c) => {
    const params = parseParams(advanceParams, c.var.params);
    const store = c.var.store;
    const clock = store.get<TestClock>("test_helpers.test_clock", c.req.param("id"));
    if (params.frozen_time <= clock.frozen_time) {
      throw invalidRequest("The frozen_time must be after the test clock's current frozen_time.", "frozen_time");
    }
    emitEvent(store, "test_helpers.test_clock.advancing", {
      ...clock,
      status: "advancing",
      status_details: { advancing: { target_frozen_time: params.frozen_time } },
    });
    billUntil(store.forAccount(null), params.frozen_time, (customer) => customer?.test_clock === clock.id);
    const ready: TestClock = { ...clock, frozen_time: params.frozen_time, status: "ready", status_details: {} };
    store.update(ready);
    emitEvent(store, "test_helpers.test_clock.ready", ready);
    return respond(c, ready);
  });

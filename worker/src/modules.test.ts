/// <reference types="vite/client" />
import { expect, it } from "vitest";
import { WEBHOOK_EVENT_TYPES } from "../../shared/webhook-events";
import wranglerToml from "../../wrangler.toml?raw";
import { modules, runtime } from "./modules";

it("lists each domain folder once, under its own name", () => {
  const folders = Object.keys(import.meta.glob("./*/index.ts")).map((path) => path.split("/")[1]);
  expect(modules.map((m) => m.name).sort()).toEqual(folders.sort());
});

it("sends every webhook event type from exactly one module", () => {
  const sent = modules.flatMap((m) => ("webhookEvents" in m ? [...m.webhookEvents] : []));
  expect(sent.sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
});

it("consumes exactly the queues wrangler.toml gives consumers", () => {
  const consumed = [...wranglerToml.matchAll(/\[\[queues\.consumers\]\]\s*\nqueue = "([^"]+)"/g)].map((m) => m[1]);
  expect(Object.keys(runtime.queues).sort()).toEqual(consumed.sort());
});

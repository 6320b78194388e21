/// <reference types="vite/client" />
import { expect, it } from "vitest";
import readme from "../../../README.md?raw";
import { runtime } from "../modules";
import { SETUP_DOC_END, SETUP_DOC_START, stripeSetupDoc } from "./setup-doc";

it("the README's Stripe setup lists exactly the event types the modules handle, each under its endpoint (npm run docs:stripe-events)", () => {
  const block = readme.slice(readme.indexOf(SETUP_DOC_START), readme.indexOf(SETUP_DOC_END) + SETUP_DOC_END.length);
  expect(block).toBe(stripeSetupDoc(runtime.stripeEventTypes));
});

it("every handled type is sent to exactly one endpoint", () => {
  const { platform, connect } = runtime.stripeEventTypes;
  expect([...platform, ...connect].sort()).toEqual(Object.keys(runtime.stripeHandlers).sort());
  expect(platform.filter((type) => connect.includes(type))).toEqual([]);
});

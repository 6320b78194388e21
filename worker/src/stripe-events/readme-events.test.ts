/// <reference types="vite/client" />
import { expect, it } from "vitest";
import readme from "../../../README.md?raw";
import { runtime } from "../modules";

it("the README's Stripe setup lists exactly the event types a module handles", () => {
  const setup = readme.slice(readme.indexOf("In the Stripe dashboard"), readme.indexOf("Enable Connect"));
  const listed = [...setup.matchAll(/`([a-z_]+(?:\.[a-z_]+)+)`/g)].map((m) => m[1]);
  expect(listed.sort()).toEqual(Object.keys(runtime.stripeHandlers).sort());
});

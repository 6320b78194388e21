// `npm run docs:stripe-events`: rewrites README's list of the Stripe events each webhook endpoint must
// send from the handlers the modules register, so the Stripe setup never misses one. A workerd test
// (worker/src/stripe-events/readme-events.test.ts) fails when README and the code differ.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runtime } from "../worker/src/modules";
import { SETUP_DOC_END, SETUP_DOC_START, stripeSetupDoc } from "../worker/src/stripe-events/setup-doc";

const readmePath = join(import.meta.dirname, "..", "README.md");
const readme = readFileSync(readmePath, "utf8");
const start = readme.indexOf(SETUP_DOC_START);
const end = readme.indexOf(SETUP_DOC_END);
if (start < 0 || end < start) throw new Error(`README.md has no "${SETUP_DOC_START}" … "${SETUP_DOC_END}" block`);
const updated = readme.slice(0, start) + stripeSetupDoc(runtime.stripeEventTypes) + readme.slice(end + SETUP_DOC_END.length);
writeFileSync(readmePath, updated);
console.log(updated === readme ? "README.md: the Stripe event list is up to date" : "README.md: Stripe event list rewritten");

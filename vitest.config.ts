import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { E2E_LIMITS, WAIT } from "./scripts/lib/wait-budgets.mjs";

/**
 * Three projects: `worker` runs inside workerd against real local D1/R2/Queues with migrations
 * applied; `stripe-emulator` runs the local Stripe emulator Worker in workerd and drives it with the
 * official SDK; `e2e` runs in Node and drives real servers (wrangler dev, partykit dev, Chromium).
 */
/** Test-only random secrets, fresh every run: never real ones. */
const testSecret = () => crypto.randomUUID().replaceAll("-", "") + crypto.randomUUID().replaceAll("-", "");
const aesKey = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");

/**
 * wrangler.toml's queue consumers, each delivering as soon as a message is sent. Production waits up
 * to `max_batch_timeout` (1-5 s) to fill a batch; in tests that wait is idle time on every queue hop
 * of every purchase, and what the tests check (idempotence, retries, dead letters) does not depend on it.
 */
function queueConsumersWithoutBatchWait() {
  const { workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml");
  return Object.fromEntries(
    Object.entries(workerOptions.queueConsumers ?? {}).map(([queue, consumer]) => [queue, { ...consumer, maxBatchTimeout: 0 }]),
  );
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  const stripeWebhookSecret = `whsec_${testSecret()}`;
  const stripeConnectWebhookSecret = `whsec_${testSecret()}`;
  return {
    test: {
      // Request logs are for production; in tests they only bury the failures.
      onConsoleLog: (line: string) => !line.includes('"level":"info"'),
      projects: [
        {
          plugins: [
            cloudflareTest({
              // Plaza plus the Stripe emulator's Durable Object (see worker/test/network.ts).
              main: "./worker/test/entry.ts",
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  ENVIRONMENT: "test",
                  JWT_SECRET: testSecret(),
                  ROOM_TOKEN_SECRET: testSecret(),
                  ENCRYPTION_KEYS: `k1:${aesKey()}`,
                  DOWNLOAD_TOKEN_KEYS: `d1:${aesKey()}`,
                  LICENSE_KEY_SECRET: testSecret(),
                  STRIPE_EMULATOR_URL: "http://stripe.emulator",
                  STRIPE_WEBHOOK_SECRET: stripeWebhookSecret,
                  STRIPE_CONNECT_WEBHOOK_SECRET: stripeConnectWebhookSecret,
                  // Read by the emulator (it shares this env): where it sends signed events.
                  WEBHOOK_URL: "http://plaza.test/v1/stripe/webhooks",
                  WEBHOOK_SECRET: stripeWebhookSecret,
                  CONNECT_WEBHOOK_URL: "http://plaza.test/v1/stripe/connect-webhooks",
                  CONNECT_WEBHOOK_SECRET: stripeConnectWebhookSecret,
                  // Replays a run of worker/src/http/api-fuzz.test.ts (it prints its seed), or runs it deeper.
                  PLAZA_FUZZ_SEED: process.env.PLAZA_FUZZ_SEED ?? "",
                  PLAZA_FUZZ_RUNS: process.env.PLAZA_FUZZ_RUNS ?? "",
                },
                queueConsumers: queueConsumersWithoutBatchWait(),
                // Stands in for a deployment's placed Worker in worker/src/http/placement.test.ts (which
                // passes it as PLACED; no other test has PLACED): answers with the request it received.
                serviceBindings: {
                  TEST_PLACED: async (request) =>
                    Response.json(
                      { method: request.method, url: request.url, headers: [...request.headers], body: await request.text() },
                      { headers: { "x-test-placed": "1" } },
                    ),
                },
                durableObjects: { STRIPE_STATE: { className: "StripeEmulatorState", useSQLite: true } },
                // A second database beside wrangler.toml's DB: the lagging read replica of worker/test/lagging-replica.ts.
                d1Databases: { DB_REPLICA: "plaza-test-replica" },
              },
            }),
          ],
          test: {
            name: "worker",
            include: ["worker/**/*.test.ts"],
            // Payment flows make dozens of in-process Stripe round trips and queue hops, and `npm test`
            // runs the e2e project beside this one on the same cores: a guard against hangs, not a budget.
            testTimeout: 60_000,
            hookTimeout: 60_000,
            setupFiles: ["worker/test/apply-migrations.ts", "worker/test/network.ts"],
          },
        },
        {
          plugins: [cloudflareTest({ wrangler: { configPath: "./emulators/stripe/wrangler.toml" } })],
          test: {
            name: "stripe-emulator",
            include: ["emulators/stripe/**/*.test.ts"],
            // The first file's beforeAll loads the emulator and the SDK cold; with the e2e servers starting
            // alongside (scripts/test.mjs) it outlasted the default 10 s on a loaded machine. A test of
            // a few SDK round trips outlasted the default 5 s the same way (5.2 s in a CI run): guards
            // against hangs, as in the worker project, not budgets.
            testTimeout: 60_000,
            hookTimeout: 60_000,
          },
        },
        {
          test: {
            name: "e2e",
            include: ["party/**/*.test.ts", "web/**/*.test.ts", "scripts/**/*.test.ts"],
            environment: "node",
            // Each wait inside has its own budget (scripts/lib/wait-budgets.mjs) and fails first, naming
            // what it waited for; these only catch a test or hook that keeps making slow progress.
            testTimeout: E2E_LIMITS.testTimeout,
            hookTimeout: E2E_LIMITS.hookTimeout,
            expect: { poll: { timeout: WAIT.step } },
            // The wrangler config of the API Workers the files start (queues deliver without a batch wait).
            globalSetup: ["scripts/lib/e2e-global-setup.mjs"],
            // Stops whatever a test file started and left running, even after a timeout.
            setupFiles: ["scripts/lib/e2e-cleanup.mjs"],
            fileParallelism: false,
          },
        },
      ],
    },
  };
});

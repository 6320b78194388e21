import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Three projects: `worker` runs inside workerd against real local D1/R2/Queues with migrations
 * applied; `stripe-emulator` runs the local Stripe emulator Worker in workerd and drives it with the
 * official SDK; `e2e` runs in Node and drives real servers (wrangler dev, partykit dev, Chromium).
 */
export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    test: {
      // Request logs are for production; in tests they only bury the failures.
      onConsoleLog: (line: string) => !line.includes('"level":"info"'),
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  ENVIRONMENT: "test",
                  // Test-only keys, generated per run: never real secrets.
                  JWT_SECRET: crypto.randomUUID() + crypto.randomUUID(),
                  ROOM_TOKEN_SECRET: crypto.randomUUID() + crypto.randomUUID(),
                },
              },
            }),
          ],
          test: {
            name: "worker",
            include: ["worker/**/*.test.ts"],
            setupFiles: ["worker/test/apply-migrations.ts"],
          },
        },
        {
          plugins: [cloudflareTest({ wrangler: { configPath: "./emulators/stripe/wrangler.toml" } })],
          test: {
            name: "stripe-emulator",
            include: ["emulators/stripe/**/*.test.ts"],
          },
        },
        {
          test: {
            name: "e2e",
            include: ["party/**/*.test.ts", "web/**/*.test.ts", "scripts/**/*.test.ts"],
            environment: "node",
            testTimeout: 60_000,
            // Longer than the harness's own 90 s wait for a server, so a slow start fails there: it stops
            // the server and shows its output, instead of a hook timeout that leaves it running.
            hookTimeout: 240_000,
            fileParallelism: false,
          },
        },
      ],
    },
  };
});

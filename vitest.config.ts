import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Two projects: `worker` runs inside workerd against real local D1/R2/Queues with migrations
 * applied; `e2e` runs in Node and drives real servers (wrangler dev, partykit dev, Chromium).
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
          test: {
            name: "e2e",
            include: ["party/**/*.test.ts", "web/**/*.test.ts", "scripts/**/*.test.ts"],
            environment: "node",
            testTimeout: 60_000,
            hookTimeout: 120_000,
            fileParallelism: false,
          },
        },
      ],
    },
  };
});

// Global setup of the e2e vitest project (once per run, in vitest's own process): the wrangler
// config the test files' API Workers run, handed to them in E2E_WRANGLER_CONFIG_ENV.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { experimental_readRawConfig } from "wrangler";
import { ROOT } from "./processes.mjs";
import { E2E_WRANGLER_CONFIG_ENV } from "./wrangler-dev.mjs";

export default function setup() {
  const dir = mkdtempSync(join(tmpdir(), "plaza-e2e-wrangler-"));
  const path = join(dir, "wrangler.json");
  writeFileSync(path, JSON.stringify(e2eWranglerConfig(), null, 2));
  process.env[E2E_WRANGLER_CONFIG_ENV] = path;
  return () => rmSync(dir, { recursive: true, force: true });
}

/**
 * wrangler.toml with each queue consumer delivering as soon as a message is sent, like the workerd
 * project's (vitest.config.ts): production waits up to `max_batch_timeout` (1-5 s) to fill a
 * batch, which in the e2e tests is idle time on every queue hop (a purchase takes several), and
 * what they check does not depend on it. It lives outside the repository, so the paths in it (which
 * wrangler resolves from the config's own directory) are made absolute.
 */
function e2eWranglerConfig() {
  const { rawConfig: config } = experimental_readRawConfig({ config: join(ROOT, "wrangler.toml") });
  const fromRoot = (path) => path && resolve(ROOT, path);
  return {
    ...config,
    main: fromRoot(config.main),
    assets: config.assets && { ...config.assets, directory: fromRoot(config.assets.directory) },
    d1_databases: config.d1_databases?.map((db) => ({ ...db, migrations_dir: fromRoot(db.migrations_dir) })),
    queues: config.queues && {
      ...config.queues,
      consumers: config.queues.consumers?.map((consumer) => ({ ...consumer, max_batch_timeout: 0 })),
    },
  };
}

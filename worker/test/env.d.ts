import type { Env as PlazaEnv } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends PlazaEnv {
      TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    }
  }
}

import { env } from "cloudflare:workers";
import { backgroundContext, type Ctx } from "../src/context";
import type { Env } from "../src/env";
import { runtime } from "../src/modules";

/** A service's context outside a request, as a queue batch or a cron tick builds it, with every module's event handlers. */
export const testContext = (bindings: Env = env as unknown as Env, requestId = "req_test"): Ctx =>
  backgroundContext(bindings, { requestId, handlers: runtime.events });

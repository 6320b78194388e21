/** `Idempotency-Key` on every mutating /v1 route: a retried request is answered the first one's stored response. */
import { defineModule } from "../module";
import { purgeExpiredIdempotencyKeys } from "./jobs";

export { IDEMPOTENCY_HEADER, idempotency, REPLAYED_HEADER } from "./middleware";
export { registerIdempotencyDocs } from "./openapi";

export const idempotencyModule = defineModule({
  name: "idempotency",
  jobs: { "purge-expired-idempotency-keys": purgeExpiredIdempotencyKeys },
});

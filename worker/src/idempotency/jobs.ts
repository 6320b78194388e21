import type { Job } from "../module";
import { purgeExpiredKeys } from "./store";

/** Keys (and their sealed responses) are kept 24 hours; then a retry is a new request. */
export const purgeExpiredIdempotencyKeys: Job = ({ db, now, batchSize }) => purgeExpiredKeys(db, now, batchSize);

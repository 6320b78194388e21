import { purgeEndedWindows } from "../http/rate-limit";
import type { Job } from "../module";

/**
 * Rate-limit counters of every kind are deleted once their window has ended: each IP, address,
 * license key or endpoint seen would otherwise keep a row forever.
 */
export const purgeRateLimitWindows: Job = ({ db, now, batchSize }) => purgeEndedWindows(db, now, batchSize);

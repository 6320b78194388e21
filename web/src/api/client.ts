import { hc } from "hono/client";
// Type-only: no Worker code reaches the bundle, only the route types.
import type { ApiType } from "../../../worker/src/modules";
import { authorizedFetch } from "./authorized-fetch";

/** The typed API client for signed-in calls; wrap calls in `unwrap()` to get the body or an ApiError. */
export const api = hc<ApiType>(location.origin, { fetch: authorizedFetch });

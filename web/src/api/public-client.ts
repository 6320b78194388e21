import { hc } from "hono/client";
// Type-only: no Worker code reaches the bundle, only the route types.
import type { ApiType } from "../../../worker/src/modules";

/** Calls that need no access token (signup, login, refresh). Cookies go along: same origin. */
export const publicApi = hc<ApiType>(location.origin);

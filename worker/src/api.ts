import { auditRoutes } from "./audit/routes";
import { authRoutes } from "./auth/routes";
import { createRouter } from "./http/openapi";
import { orgRoutes } from "./orgs/routes";
import { tokenRoutes } from "./tokens/routes";

/** Every /v1 route, chained so that `ApiType` carries them all for web/'s `hc` client. */
export const api = createRouter().route("/", authRoutes).route("/", tokenRoutes).route("/", orgRoutes).route("/", auditRoutes);

export type ApiType = typeof api;

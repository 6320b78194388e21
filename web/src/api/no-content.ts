/**
 * The routes that answer 204 (switch org, revoke session/token, remove member, revoke invite,
 * logout) are missing from `ApiType`: `noContent` in worker/src/http/openapi-helpers.ts is
 * declared `as const`, and @hono/zod-openapi then drops those routes from the schema type, so
 * `hc` cannot reach them. Until that is fixed they go through this thin typed wrapper, which
 * behaves like `unwrap(hc…)`: resolves on 2xx, throws an ApiError otherwise.
 */
import type { z } from "zod";
import type { SetActiveOrgBody } from "../../../shared/api";
import { authorizedFetch } from "./authorized-fetch";
import { apiErrorFrom, asApiError } from "./errors";

async function send(method: "PUT" | "DELETE", path: string, body?: unknown): Promise<void> {
  let res: Response;
  try {
    res = await authorizedFetch(path, {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw asApiError(err);
  }
  if (!res.ok) throw await apiErrorFrom(res);
}

const seg = encodeURIComponent;

export const setActiveOrg = (body: z.input<typeof SetActiveOrgBody>) => send("PUT", "/v1/me/active-org", body);
export const revokeSession = (sessionId: string) => send("DELETE", `/v1/me/sessions/${seg(sessionId)}`);
export const revokeToken = (tokenId: string) => send("DELETE", `/v1/me/tokens/${seg(tokenId)}`);
export const removeMember = (orgId: string, userId: string) => send("DELETE", `/v1/orgs/${seg(orgId)}/members/${seg(userId)}`);
export const revokeInvite = (orgId: string, inviteId: string) => send("DELETE", `/v1/orgs/${seg(orgId)}/invites/${seg(inviteId)}`);

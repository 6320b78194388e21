/**
 * The calls that answer 204 (switch org, change password, revoke session/token, remove member, revoke invite,
 * deactivate a license's installation), named for what they do: each resolves on success and
 * throws an ApiError otherwise.
 */
import type { z } from "zod";
import type { ChangePasswordBody, SetActiveOrgBody } from "../../../shared/api";
import { api } from "./client";
import { unwrap } from "./unwrap";

export const setActiveOrg = (body: z.input<typeof SetActiveOrgBody>) => unwrap(api.v1.me["active-org"].$put({ json: body }));
export const changePassword = (body: z.input<typeof ChangePasswordBody>) => unwrap(api.v1.me.password.$put({ json: body }));
export const revokeSession = (sessionId: string) => unwrap(api.v1.me.sessions[":sessionId"].$delete({ param: { sessionId } }));
export const revokeToken = (tokenId: string) => unwrap(api.v1.me.tokens[":tokenId"].$delete({ param: { tokenId } }));
export const removeMember = (orgId: string, userId: string) =>
  unwrap(api.v1.orgs[":orgId"].members[":userId"].$delete({ param: { orgId, userId } }));
export const revokeInvite = (orgId: string, inviteId: string) =>
  unwrap(api.v1.orgs[":orgId"].invites[":inviteId"].$delete({ param: { orgId, inviteId } }));
export const deactivateLicense = (licenseId: string, activationId: string) =>
  unwrap(api.v1.me.licenses[":licenseId"].activations[":activationId"].$delete({ param: { licenseId, activationId } }));

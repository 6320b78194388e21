import { createRoute, z } from "@hono/zod-openapi";
import {
  AcceptInviteBody,
  CreateInviteBody,
  CreateOrgBody,
  Invite,
  InviteId,
  Member,
  Org,
  OrgId,
  UpdateMemberBody,
  UpdateOrgBody,
  UserId,
} from "../../../shared/api";
import { requireOrgRole, requirePrincipal } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, conflictError, json, jsonBody, noContent, notFoundError } from "../http/openapi-helpers";
import * as invites from "./invites";
import * as members from "./members";
import * as orgs from "./orgs";

const OrgParams = z.object({ orgId: OrgId });
const MemberParams = OrgParams.extend({ userId: UserId });
const InviteParams = OrgParams.extend({ inviteId: InviteId });
const tag = ["Orgs"];
const errors = { ...authErrors, ...notFoundError };

export const orgRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/orgs",
      tags: tag,
      summary: "Create an org; you become its owner",
      security: bearer,
      request: jsonBody(CreateOrgBody),
      responses: { 201: json(Org, "Created"), ...authErrors, ...conflictError },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "orgs:write");
      return c.json(await orgs.createOrg(c.var.ctx, { ...c.req.valid("json"), userId: p.userId }), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}",
      tags: tag,
      summary: "An org you belong to",
      security: bearer,
      request: { params: OrgParams },
      responses: { 200: json(Org, "The org"), ...errors },
    }),
    async (c) => {
      const access = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "member", "orgs:read");
      return c.json(await orgs.getOrg(c.var.ctx, access), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/v1/orgs/{orgId}",
      tags: tag,
      summary: "Rename an org (admin)",
      security: bearer,
      request: { params: OrgParams, ...jsonBody(UpdateOrgBody) },
      responses: { 200: json(Org, "Updated"), ...errors },
    }),
    async (c) => {
      const access = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "admin", "orgs:write");
      return c.json(await orgs.updateOrg(c.var.ctx, { ...c.req.valid("json"), access }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/members",
      tags: tag,
      summary: "Members and their roles",
      security: bearer,
      request: { params: OrgParams },
      responses: { 200: json(z.object({ data: z.array(Member) }), "Members"), ...errors },
    }),
    async (c) => {
      const access = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "member", "orgs:read");
      return c.json({ data: await members.listMembers(c.var.ctx, { orgId: access.orgId }) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/v1/orgs/{orgId}/members/{userId}",
      tags: tag,
      summary: "Change a member's role (admin; owners only by an owner; one owner always remains)",
      security: bearer,
      request: { params: MemberParams, ...jsonBody(UpdateMemberBody) },
      responses: { 200: json(Member, "Updated"), ...errors, ...conflictError },
    }),
    async (c) => {
      const { orgId, userId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "members:write");
      const { member } = await members.changeRole(c.var.ctx, { access, userId, role: c.req.valid("json").role });
      return c.json(member, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/v1/orgs/{orgId}/members/{userId}",
      tags: tag,
      summary: "Remove a member (admin), or leave (yourself)",
      security: bearer,
      request: { params: MemberParams },
      responses: { ...noContent, ...errors, ...conflictError },
    }),
    async (c) => {
      const { orgId, userId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "member", "members:write");
      await members.removeMember(c.var.ctx, { access, userId });
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/invites",
      tags: tag,
      summary: "Open invitations (admin)",
      security: bearer,
      request: { params: OrgParams },
      responses: { 200: json(z.object({ data: z.array(Invite) }), "Invites"), ...errors },
    }),
    async (c) => {
      const access = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "admin", "orgs:read");
      return c.json({ data: await invites.listInvites(c.var.ctx, { orgId: access.orgId }) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/orgs/{orgId}/invites",
      tags: tag,
      summary: "Invite someone by e-mail (admin); the link is valid 7 days",
      security: bearer,
      request: { params: OrgParams, ...jsonBody(CreateInviteBody) },
      responses: { 201: json(Invite, "Invited"), ...errors, ...conflictError },
    }),
    async (c) => {
      const access = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "admin", "members:write");
      return c.json(await invites.createInvite(c.var.ctx, { ...c.req.valid("json"), access }), 201);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/v1/orgs/{orgId}/invites/{inviteId}",
      tags: tag,
      summary: "Revoke an invitation (admin)",
      security: bearer,
      request: { params: InviteParams },
      responses: { ...noContent, ...errors },
    }),
    async (c) => {
      const { orgId, inviteId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "members:write");
      await invites.revokeInvite(c.var.ctx, { access, inviteId });
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/invites/accept",
      tags: tag,
      summary: "Accept an invitation sent to your verified e-mail",
      security: bearer,
      request: jsonBody(AcceptInviteBody),
      responses: { 200: json(Org, "Joined"), ...authErrors },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "orgs:write");
      return c.json(await invites.acceptInvite(c.var.ctx, { userId: p.userId, token: c.req.valid("json").token }), 200);
    },
  );

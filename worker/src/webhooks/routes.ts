import { createRoute, z } from "@hono/zod-openapi";
import { OrgId } from "../../../shared/api";
import {
  CreateWebhookEndpointBody,
  ListQuery,
  RecoverBody,
  UpdateWebhookEndpointBody,
  WebhookAttempt,
  WebhookEndpoint,
  WebhookEndpointId,
  WebhookEndpointWithSecret,
  WebhookEventId,
  WebhookMessage,
  webhookPage,
} from "../../../shared/webhooks";
import { requireOrgRole } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, conflictError, json, jsonBody, noContent, notFoundError } from "../http/openapi-helpers";
import * as endpoints from "./endpoints";
import * as messages from "./messages";

const tags = ["Webhooks"];
const base = "/v1/orgs/{orgId}/webhooks";
const orgParam = z.object({ orgId: OrgId });
const endpointParams = z.object({ orgId: OrgId, endpointId: WebhookEndpointId });
const messageParams = z.object({ orgId: OrgId, eventId: WebhookEventId });
const list = <T extends z.ZodType>(item: T, description: string) => json(z.object({ data: z.array(item) }), description);
const paged = <T extends z.ZodType>(item: T, description: string) => json(webhookPage(item), description);

/** Org admins manage endpoints and read the delivery log; other members see nothing of it. */
export const webhookRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: `${base}/endpoints`,
      tags,
      summary: "The org's webhook endpoints",
      security: bearer,
      request: { params: orgParam },
      responses: { 200: list(WebhookEndpoint, "Newest first"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { orgId } = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "admin", "webhooks:read");
      return c.json({ data: await endpoints.listEndpoints(c.var.ctx, orgId) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${base}/endpoints`,
      tags,
      summary: "Add an endpoint; its signing secret is in this answer only",
      security: bearer,
      request: { params: orgParam, ...jsonBody(CreateWebhookEndpointBody) },
      responses: { 201: json(WebhookEndpointWithSecret, "Created"), ...authErrors, ...notFoundError, ...conflictError },
    }),
    async (c) => {
      const access = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "admin", "webhooks:write");
      return c.json(
        await endpoints.createEndpoint(c.var.ctx, {
          orgId: access.orgId,
          actorUserId: access.principal.userId,
          input: c.req.valid("json"),
        }),
        201,
      );
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${base}/endpoints/{endpointId}`,
      tags,
      summary: "One endpoint",
      security: bearer,
      request: { params: endpointParams },
      responses: { 200: json(WebhookEndpoint, "The endpoint"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { orgId, endpointId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "webhooks:read");
      return c.json(await endpoints.getEndpoint(c.var.ctx, { orgId: access.orgId, endpointId }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: `${base}/endpoints/{endpointId}`,
      tags,
      summary: "Change an endpoint: URL, description, event types, enabled, rate limit",
      description: "Enabling an endpoint Plaza disabled clears its reason; recover its failed and skipped messages afterwards.",
      security: bearer,
      request: { params: endpointParams, ...jsonBody(UpdateWebhookEndpointBody) },
      responses: { 200: json(WebhookEndpoint, "Changed"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { orgId, endpointId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "webhooks:write");
      return c.json(
        await endpoints.updateEndpoint(c.var.ctx, {
          orgId: access.orgId,
          endpointId,
          actorUserId: access.principal.userId,
          input: c.req.valid("json"),
        }),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: `${base}/endpoints/{endpointId}`,
      tags,
      summary: "Delete an endpoint and its delivery log",
      security: bearer,
      request: { params: endpointParams },
      responses: { ...noContent, ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { orgId, endpointId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "webhooks:write");
      await endpoints.deleteEndpoint(c.var.ctx, { orgId: access.orgId, endpointId, actorUserId: access.principal.userId });
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${base}/endpoints/{endpointId}/rotate-secret`,
      tags,
      summary: "A new signing secret (shown once); the old one also signs for 24 hours",
      security: bearer,
      request: { params: endpointParams },
      responses: { 200: json(WebhookEndpointWithSecret, "Rotated"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { orgId, endpointId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "webhooks:write");
      return c.json(
        await endpoints.rotateSecret(c.var.ctx, { orgId: access.orgId, endpointId, actorUserId: access.principal.userId }),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${base}/endpoints/{endpointId}/test`,
      tags,
      summary: "Send a `webhook.test` event to this endpoint",
      security: bearer,
      request: { params: endpointParams },
      responses: { 202: json(z.object({ eventId: WebhookEventId }), "Queued"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { orgId, endpointId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "webhooks:write");
      return c.json({ eventId: await messages.sendTestEvent(c.var.ctx, { orgId: access.orgId, endpointId }) }, 202);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${base}/endpoints/{endpointId}/recover`,
      tags,
      summary: "Send every failed or skipped message since a time again, one at a time, oldest first",
      security: bearer,
      request: { params: endpointParams, ...jsonBody(RecoverBody) },
      responses: {
        202: json(z.object({ recovered: z.number().int() }), "How many will be sent again"),
        ...authErrors,
        ...notFoundError,
        ...conflictError,
      },
    }),
    async (c) => {
      const { orgId, endpointId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "webhooks:write");
      const { since } = c.req.valid("json");
      return c.json({ recovered: await messages.recoverMessages(c.var.ctx, { orgId: access.orgId, endpointId, since }) }, 202);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${base}/endpoints/{endpointId}/attempts`,
      tags,
      summary: "The endpoint's delivery attempts: status, latency, the first 2 KB of the answer, error",
      security: bearer,
      request: { params: endpointParams, query: ListQuery },
      responses: {
        200: paged(WebhookAttempt, "Newest first; the next page with `cursor` = `nextCursor`"),
        ...authErrors,
        ...notFoundError,
      },
    }),
    async (c) => {
      const { orgId, endpointId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "webhooks:read");
      return c.json(await messages.listAttempts(c.var.ctx, { orgId: access.orgId, of: { endpointId }, query: c.req.valid("query") }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${base}/messages`,
      tags,
      summary: "Events sent to the org's endpoints, with each delivery's state",
      security: bearer,
      request: { params: orgParam, query: ListQuery },
      responses: {
        200: paged(WebhookMessage, "Newest first; the next page with `cursor` = `nextCursor`"),
        ...authErrors,
        ...notFoundError,
      },
    }),
    async (c) => {
      const { orgId } = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "admin", "webhooks:read");
      return c.json(await messages.listMessages(c.var.ctx, { orgId, query: c.req.valid("query") }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${base}/messages/{eventId}`,
      tags,
      summary: "One message and its deliveries",
      security: bearer,
      request: { params: messageParams },
      responses: { 200: json(WebhookMessage, "The message"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { orgId, eventId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "webhooks:read");
      return c.json(await messages.getMessage(c.var.ctx, { orgId: access.orgId, eventId }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${base}/messages/{eventId}/attempts`,
      tags,
      summary: "Every attempt to deliver one message",
      security: bearer,
      request: { params: messageParams, query: ListQuery },
      responses: {
        200: paged(WebhookAttempt, "Newest first; the next page with `cursor` = `nextCursor`"),
        ...authErrors,
        ...notFoundError,
      },
    }),
    async (c) => {
      const { orgId, eventId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "webhooks:read");
      return c.json(await messages.listAttempts(c.var.ctx, { orgId: access.orgId, of: { eventId }, query: c.req.valid("query") }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${base}/messages/{eventId}/endpoints/{endpointId}/resend`,
      tags,
      summary: "Send one message to one endpoint again",
      security: bearer,
      request: { params: z.object({ orgId: OrgId, eventId: WebhookEventId, endpointId: WebhookEndpointId }) },
      responses: { 202: { description: "Queued" }, ...authErrors, ...notFoundError, ...conflictError },
    }),
    async (c) => {
      const { orgId, eventId, endpointId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "webhooks:write");
      await messages.resendMessage(c.var.ctx, { orgId: access.orgId, eventId, endpointId });
      return c.body(null, 202);
    },
  );

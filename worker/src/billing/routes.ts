import { createRoute, z } from "@hono/zod-openapi";
import { OrgId } from "../../../shared/api";
import { ItemId, ItemSlug } from "../../../shared/catalog";
import {
  BillingPortalBody,
  BillingPortalSession,
  CreditBalance,
  CreditGrantBody,
  CreditHolder,
  CreditHolderQuery,
  MeteredUsage,
  PlanChangeBody,
  PlanChangePreview,
  Subscription,
  SubscriptionId,
  UsageBody,
  UsageRecord,
} from "../../../shared/payments";
import { requireOrgRole, requirePrincipal } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, conflictError, json, jsonBody, notFoundError, stripeErrors } from "../http/openapi-helpers";
import { grantCredits, itemCreditBalance, itemCreditHolder } from "./credits";
import { changePlan, previewPlanChange } from "./plan-changes";
import { openBillingPortal } from "./portal";
import { listSubscriptions, setCancelAtPeriodEnd } from "./subscriptions";
import { meteredUsage, recordUsage } from "./usage";

const tags = ["Subscriptions and usage"];
const errors = { ...authErrors, ...notFoundError };
const subParams = z.object({ subscriptionId: SubscriptionId });

export const billingRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/me/subscriptions",
      tags,
      summary: "Your subscriptions",
      security: bearer,
      responses: { 200: json(z.object({ data: z.array(Subscription) }), "Your subscriptions"), ...authErrors },
    }),
    async (c) => {
      const { userId } = requirePrincipal(c.get("principal"), "payments:read");
      return c.json({ data: await listSubscriptions(c.var.ctx, { userId }) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/me/subscriptions/{subscriptionId}/cancel",
      tags,
      summary: "Cancel at the end of the paid period (access lasts until then)",
      security: bearer,
      request: { params: subParams },
      responses: { 200: json(Subscription, "Will cancel at period end"), ...errors, ...conflictError },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "payments:write");
      const { subscriptionId } = c.req.valid("param");
      return c.json(await setCancelAtPeriodEnd(c.var.ctx, { userId: p.userId, subscriptionId, cancel: true }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/me/subscriptions/{subscriptionId}/resume",
      tags,
      summary: "Undo a cancellation before the period ends",
      security: bearer,
      request: { params: subParams },
      responses: { 200: json(Subscription, "Renews again"), ...errors, ...conflictError },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "payments:write");
      const { subscriptionId } = c.req.valid("param");
      return c.json(await setCancelAtPeriodEnd(c.var.ctx, { userId: p.userId, subscriptionId, cancel: false }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/me/subscriptions/{subscriptionId}/plan",
      tags,
      summary: "Switch between the item's monthly and yearly plans, prorated: the unused time is credited and the new plan charged now",
      description: `The new billing period starts now; the invoice (the new plan less the unused time of the old) is paid at
once with the card on file, and a credit larger than the charge pays the next renewals. 409 when the subscription is not
active, is already on that plan, or the item does not offer it.`,
      security: bearer,
      request: { params: subParams, ...jsonBody(PlanChangeBody) },
      responses: { 200: json(Subscription, "On the new plan"), ...errors, ...conflictError },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "payments:write");
      const { subscriptionId } = c.req.valid("param");
      return c.json(await changePlan(c.var.ctx, { userId: p.userId, subscriptionId, interval: c.req.valid("json").interval }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/me/subscriptions/{subscriptionId}/plan/preview",
      tags,
      summary: "What switching plans would charge now (Stripe's invoice preview); changes nothing",
      security: bearer,
      request: { params: subParams, ...jsonBody(PlanChangeBody) },
      responses: { 200: json(PlanChangePreview, "The amount due now and the credit left"), ...errors, ...conflictError },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "payments:read");
      const { subscriptionId } = c.req.valid("param");
      return c.json(await previewPlanChange(c.var.ctx, { userId: p.userId, subscriptionId, interval: c.req.valid("json").interval }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/me/billing-portal",
      tags,
      summary: "Open Stripe's billing portal for your subscriptions: update the card, pay a failed renewal, cancel, see invoices",
      description: `Answers a link to Stripe's hosted portal for the Stripe customer your subscriptions bill (the one of
\`subscriptionId\` when given). Send the browser there at once: the link expires within minutes. The portal returns to
Purchases, and what the buyer changed there reaches Plaza through Stripe's events. 409 when you have no running
subscription, or the one given has ended.`,
      security: bearer,
      request: jsonBody(BillingPortalBody),
      responses: { 201: json(BillingPortalSession, "The portal link"), ...errors, ...conflictError, ...stripeErrors },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "payments:write");
      return c.json(await openBillingPortal(c.var.ctx, { userId: p.userId, ...c.req.valid("json") }), 201);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/items/{slug}/usage",
      tags,
      summary: "Report usage of a metered item you subscribe to; `key` makes it idempotent",
      security: bearer,
      request: { params: z.object({ slug: ItemSlug }), ...jsonBody(UsageBody) },
      responses: {
        201: json(UsageRecord, "Recorded"),
        200: json(UsageRecord, "Already recorded under this key"),
        ...errors,
        ...conflictError,
      },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "payments:write");
      const record = await recordUsage(c.var.ctx, { userId: p.userId, slug: c.req.valid("param").slug, usage: c.req.valid("json") });
      return record.duplicate ? c.json(record, 200) : c.json(record, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/items/{slug}/credits",
      tags,
      summary: "Your prepaid credit balance for an item",
      security: bearer,
      request: { params: z.object({ slug: ItemSlug }) },
      responses: { 200: json(CreditBalance, "Your balance"), ...errors },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "payments:read");
      return c.json(await itemCreditBalance(c.var.ctx, { userId: p.userId, slug: c.req.valid("param").slug }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/orgs/{orgId}/items/{itemId}/credits",
      tags,
      summary: "Grant a buyer prepaid credits for one of the org's items (admin); `reference` makes it idempotent",
      security: bearer,
      request: { params: z.object({ orgId: OrgId, itemId: ItemId }), ...jsonBody(CreditGrantBody) },
      responses: { 201: json(CreditBalance, "The buyer's new balance"), ...errors },
    }),
    async (c) => {
      const access = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "admin", "payments:write");
      const body = c.req.valid("json");
      return c.json(
        await grantCredits(c.var.ctx, {
          orgId: access.orgId,
          itemId: c.req.valid("param").itemId,
          ...body,
          actorUserId: access.principal.userId,
        }),
        201,
      );
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/items/{itemId}/credits",
      tags,
      summary: "Find a buyer of one of the org's items by e-mail, with their prepaid balance",
      description: `Finds only someone who subscribes (or subscribed) to the item or holds credits for it: anyone
else, account or not, is 404, so the answer does not tell which addresses have Plaza accounts. Grant them credits with
the \`userId\` found.`,
      security: bearer,
      request: { params: z.object({ orgId: OrgId, itemId: ItemId }), query: CreditHolderQuery },
      responses: { 200: json(CreditHolder, "The buyer and their balance"), ...errors },
    }),
    async (c) => {
      const { orgId, itemId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "member", "payments:read");
      return c.json(await itemCreditHolder(c.var.ctx, { orgId: access.orgId, itemId, email: c.req.valid("query").email }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/me/usage",
      tags,
      summary: "Usage of your running metered subscriptions this billing period, and your credits left",
      security: bearer,
      responses: { 200: json(z.object({ data: z.array(MeteredUsage) }), "One entry per metered subscription"), ...authErrors },
    }),
    async (c) => {
      const { userId } = requirePrincipal(c.get("principal"), "payments:read");
      return c.json({ data: await meteredUsage(c.var.ctx, { userId }) }, 200);
    },
  );

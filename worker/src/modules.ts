/**
 * Every domain of the Worker, once. The router (app.ts), the queue dispatch and the cron
 * scheduler (index.ts), the Stripe event dispatcher, the OpenAPI document and the role-matrix test
 * all loop over this list: adding a domain is adding its module here.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Hono } from "hono";
import { alertsModule } from "./alerts";
import { analyticsModule } from "./analytics";
import { auditModule } from "./audit";
import { authModule } from "./auth";
import { backupsModule } from "./backups";
import { billingModule } from "./billing";
import { catalogModule } from "./catalog";
import { checkoutModule } from "./checkout";
import { connectModule } from "./connect";
import { couponsModule } from "./coupons";
import { cspReportsModule } from "./csp-reports";
import { devModule } from "./dev";
import { disputesModule } from "./disputes";
import { downloadsModule } from "./downloads";
import { entitlementsModule } from "./entitlements";
import type { AppEnv } from "./env";
import { idempotencyModule } from "./idempotency";
import { ledgerModule } from "./ledger";
import { licensesModule } from "./licenses";
import { mailModule } from "./mail";
import { maintenanceModule } from "./maintenance";
import { mediaModule } from "./media";
import { moderationModule } from "./moderation";
import { assembleRuntime } from "./module";
import { notificationsModule } from "./notifications";
import { operatorModule } from "./operator";
import { ordersModule } from "./orders";
import { orgsModule } from "./orgs";
import { projectsModule } from "./projects";
import { receiptsModule } from "./receipts";
import { reviewsModule } from "./reviews";
import { roomsModule } from "./rooms";
import { storefrontModule } from "./storefront";
import { stripeModule } from "./stripe";
import { stripeEventsModule } from "./stripe-events";
import { studioModule } from "./studio";
import { tokensModule } from "./tokens";
import { uploadsModule } from "./uploads";
import { webhooksModule } from "./webhooks";

export const modules = [
  authModule,
  tokensModule,
  orgsModule,
  auditModule,
  // Uploaded files and their image variants: used by catalog (item images) and projects (assets).
  mediaModule,
  catalogModule,
  entitlementsModule,
  downloadsModule,
  reviewsModule,
  moderationModule,
  connectModule,
  couponsModule,
  checkoutModule,
  stripeModule,
  ordersModule,
  // Disputes of orders' payments: over orders, entitlements, licenses and the ledger.
  disputesModule,
  billingModule,
  ledgerModule,
  licensesModule,
  receiptsModule,
  // Daily rollups over the domains above (their statements, in their batches), and page views.
  analyticsModule,
  // The author studio's read models, over catalog and orders.
  studioModule,
  mailModule,
  // In-app notifications: the other domains write theirs in their own batches.
  notificationsModule,
  webhooksModule,
  projectsModule,
  // Resumable uploads: over catalog (bundles become versions) and projects (assets).
  uploadsModule,
  roomsModule,
  // Incoming Stripe events, each handed to the handler a module above registered for its type.
  stripeEventsModule,
  cspReportsModule,
  // Idempotency-Key on every mutating /v1 route (its middleware is in app.ts); purges its keys.
  idempotencyModule,
  maintenanceModule,
  // Dead letters of every queue and mails to operators about them and failing jobs (over auth, mail and maintenance).
  alertsModule,
  // A daily export of every table into R2 (backups/<day>/), for `npm run restore`.
  backupsModule,
  // The operator console's read models, over orders, reviews, moderation, webhooks, mail and maintenance.
  operatorModule,
  devModule,
  // Last: its pages include `/`.
  storefrontModule,
] as const;

export const runtime = assembleRuntime(modules);

type Module = (typeof modules)[number];
type SchemaOf<R> = R extends Hono<AppEnv, infer S, "/"> ? S : never;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Every /v1 route with its types, for web/'s `hc` client: the union of each module's router schema. */
export type ApiType = OpenAPIHono<AppEnv, UnionToIntersection<SchemaOf<Extract<Module, { routes: unknown }>["routes"]>>, "/">;

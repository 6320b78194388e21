import { auditRoutes } from "./audit/routes";
import { authRoutes } from "./auth/routes";
import { billingRoutes } from "./billing/routes";
import { catalogRoutes } from "./catalog/routes";
import { checkoutRoutes } from "./checkout/routes";
import { connectRoutes } from "./connect/routes";
import { cspReportRoutes } from "./csp-reports/routes";
import { downloadRoutes } from "./downloads/routes";
import { entitlementRoutes } from "./entitlements/routes";
import { createRouter } from "./http/openapi";
import { ledgerRoutes } from "./ledger/routes";
import { licenseRoutes } from "./licenses/routes";
import { mailRoutes } from "./mail/routes";
import { moderationRoutes } from "./moderation/routes";
import { orderRoutes } from "./orders/routes";
import { orgRoutes } from "./orgs/routes";
import { projectsApi } from "./projects/routes";
import { reviewRoutes } from "./reviews/routes";
import { roomCallbackRoutes } from "./rooms/routes";
import { stripeWebhookRoutes } from "./stripe/webhook-routes";
import { tokenRoutes } from "./tokens/routes";
import { webhookRoutes } from "./webhooks/routes";

/** Every /v1 route, chained so that `ApiType` carries them all for web/'s `hc` client. */
export const api = createRouter()
  .route("/", authRoutes)
  .route("/", tokenRoutes)
  .route("/", orgRoutes)
  .route("/", auditRoutes)
  .route("/", catalogRoutes)
  .route("/", entitlementRoutes)
  .route("/", downloadRoutes)
  .route("/", reviewRoutes)
  .route("/", moderationRoutes)
  .route("/", connectRoutes)
  .route("/", checkoutRoutes)
  .route("/", stripeWebhookRoutes)
  .route("/", orderRoutes)
  .route("/", billingRoutes)
  .route("/", ledgerRoutes)
  .route("/", licenseRoutes)
  .route("/", mailRoutes)
  .route("/", webhookRoutes)
  .route("/", projectsApi)
  .route("/", roomCallbackRoutes)
  .route("/", cspReportRoutes);

export type ApiType = typeof api;

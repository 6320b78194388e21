import { analyticsPage } from "./analytics/analytics-page";
import { notificationsPage } from "./notifications/list-page";
import { notificationSettingsPage } from "./notifications/preferences-page";
import { loginPage } from "./pages/auth/login";
import { magicLinkPage } from "./pages/auth/magic-link";
import { signupPage } from "./pages/auth/signup";
import { verifyEmailPage } from "./pages/auth/verify-email";
import { homePage } from "./pages/home";
import { operatorJobsPage } from "./pages/operator/jobs";
import { operatorMailPage } from "./pages/operator/mail";
import { operatorModerationPage } from "./pages/operator/moderation";
import { operatorOrdersPage } from "./pages/operator/orders";
import { operatorOverviewPage } from "./pages/operator/overview";
import { acceptInvitePage } from "./pages/orgs/accept-invite";
import { auditPage } from "./pages/orgs/audit";
import { earningsPage } from "./pages/orgs/earnings";
import { membersPage } from "./pages/orgs/members";
import { payoutsPage } from "./pages/orgs/payouts";
import {
  ANALYTICS_PATH,
  EARNINGS_PATH,
  ITEMS_PATH,
  NOTIFICATION_SETTINGS_PATH,
  NOTIFICATIONS_PATH,
  OPERATOR_JOBS_PATH,
  OPERATOR_MAIL_PATH,
  OPERATOR_MODERATION_PATH,
  OPERATOR_ORDERS_PATH,
  OPERATOR_PATH,
  PAYOUTS_PATH,
  PROJECTS_PATH,
  PURCHASES_PATH,
  WEBHOOKS_PATH,
} from "./pages/paths";
import { projectsPage } from "./pages/projects/list";
import { buyItemPage } from "./pages/purchases/buy-item";
import { getItemPage } from "./pages/purchases/get-item";
import { purchasesPage } from "./pages/purchases/portal";
import { reportItemPage } from "./pages/reports/report-item";
import { reviewItemPage } from "./pages/reviews/review-item";
import { sessionsPage } from "./pages/settings/sessions";
import { tokensPage } from "./pages/settings/tokens";
import { studioItemPage } from "./pages/studio/item";
import { studioItemsPage } from "./pages/studio/items";
import { webhookEndpointPage } from "./pages/webhooks/endpoint";
import { webhooksPage } from "./pages/webhooks/endpoints";
import type { Route } from "./router";

/** Paths the Worker renders (`/`, `/search`, `/items/*`, `/authors/*`, `/checkout/*`: the storefront) are not here. */
export const routes: readonly Route[] = [
  { pattern: "/dashboard", title: "Dashboard", access: "user", page: homePage },
  { pattern: "/get/:slug", title: "Get an item", access: "user", page: getItemPage },
  { pattern: "/buy/:slug", title: "Buy an item", access: "user", page: buyItemPage },
  { pattern: "/review/:slug", title: "Review an item", access: "user", page: reviewItemPage },
  { pattern: "/report/:slug", title: "Report an item", access: "user", page: reportItemPage },
  { pattern: PURCHASES_PATH, title: "Purchases", access: "user", page: purchasesPage },
  { pattern: ITEMS_PATH, title: "Items", access: "user", page: studioItemsPage },
  { pattern: `${ITEMS_PATH}/:itemId`, title: "Item", access: "user", page: studioItemPage },
  { pattern: `${ITEMS_PATH}/:itemId/:tab`, title: "Item", access: "user", page: studioItemPage },
  { pattern: EARNINGS_PATH, title: "Earnings", access: "user", page: earningsPage },
  { pattern: ANALYTICS_PATH, title: "Analytics", access: "user", page: analyticsPage },
  { pattern: PAYOUTS_PATH, title: "Payouts", access: "user", page: payoutsPage },
  { pattern: WEBHOOKS_PATH, title: "Webhooks", access: "user", page: webhooksPage },
  { pattern: `${WEBHOOKS_PATH}/:endpointId`, title: "Webhook endpoint", access: "user", page: webhookEndpointPage },
  { pattern: PROJECTS_PATH, title: "Projects", access: "user", page: projectsPage },
  // Loaded on demand: the editor (Tiptap, Y.js) is most of the app's weight.
  {
    pattern: `${PROJECTS_PATH}/:projectId`,
    title: "Project",
    access: "user",
    page: async (ctx) => (await import("./pages/projects/project")).projectPage(ctx),
  },
  { pattern: "/signup", title: "Sign up", access: "guest", page: signupPage },
  { pattern: "/login", title: "Log in", access: "guest", page: loginPage },
  // "any": a link opened while signed in (as anyone) still signs in as its account.
  { pattern: "/magic-link", title: "Sign in", access: "any", page: magicLinkPage },
  { pattern: "/verify-email", title: "Verify e-mail", access: "any", page: verifyEmailPage },
  { pattern: "/invites/accept", title: "Accept invitation", access: "user", page: acceptInvitePage },
  { pattern: "/orgs/:orgId/members", title: "Members", access: "user", page: membersPage },
  { pattern: "/orgs/:orgId/audit", title: "Audit log", access: "user", page: auditPage },
  { pattern: "/settings/tokens", title: "API tokens", access: "user", page: tokensPage },
  { pattern: "/settings/sessions", title: "Sessions", access: "user", page: sessionsPage },
  { pattern: NOTIFICATION_SETTINGS_PATH, title: "Notification settings", access: "user", page: notificationSettingsPage },
  { pattern: NOTIFICATIONS_PATH, title: "Notifications", access: "user", page: notificationsPage },
  { pattern: OPERATOR_PATH, title: "Operator", access: "operator", page: operatorOverviewPage },
  { pattern: OPERATOR_MODERATION_PATH, title: "Moderation", access: "operator", page: operatorModerationPage },
  { pattern: OPERATOR_ORDERS_PATH, title: "Orders", access: "operator", page: operatorOrdersPage },
  { pattern: OPERATOR_MAIL_PATH, title: "Mail", access: "operator", page: operatorMailPage },
  { pattern: OPERATOR_JOBS_PATH, title: "Jobs", access: "operator", page: operatorJobsPage },
];

import { acceptInvitePage } from "./pages/accept-invite";
import { auditPage } from "./pages/audit";
import { buyItemPage } from "./pages/buy-item";
import { earningsPage } from "./pages/earnings";
import { getItemPage } from "./pages/get-item";
import { homePage } from "./pages/home";
import { loginPage } from "./pages/login";
import { magicLinkPage } from "./pages/magic-link";
import { membersPage } from "./pages/members";
import { EARNINGS_PATH, PAYOUTS_PATH, PROJECTS_PATH, PURCHASES_PATH, WEBHOOKS_PATH } from "./pages/paths";
import { payoutsPage } from "./pages/payouts";
import { projectsPage } from "./pages/projects";
import { purchasesPage } from "./pages/purchases";
import { sessionsPage } from "./pages/sessions";
import { signupPage } from "./pages/signup";
import { tokensPage } from "./pages/tokens";
import { verifyEmailPage } from "./pages/verify-email";
import { webhookEndpointPage } from "./pages/webhook-endpoint";
import { webhooksPage } from "./pages/webhooks";
import type { Route } from "./router";

/** Paths the Worker renders (`/`, `/search`, `/items/*`, `/authors/*`, `/checkout/*`: the storefront) are not here. */
export const routes: readonly Route[] = [
  { pattern: "/dashboard", title: "Dashboard", access: "user", page: homePage },
  { pattern: "/get/:slug", title: "Get an item", access: "user", page: getItemPage },
  { pattern: "/buy/:slug", title: "Buy an item", access: "user", page: buyItemPage },
  { pattern: PURCHASES_PATH, title: "Purchases", access: "user", page: purchasesPage },
  { pattern: EARNINGS_PATH, title: "Earnings", access: "user", page: earningsPage },
  { pattern: PAYOUTS_PATH, title: "Payouts", access: "user", page: payoutsPage },
  { pattern: WEBHOOKS_PATH, title: "Webhooks", access: "user", page: webhooksPage },
  { pattern: `${WEBHOOKS_PATH}/:endpointId`, title: "Webhook endpoint", access: "user", page: webhookEndpointPage },
  { pattern: PROJECTS_PATH, title: "Projects", access: "user", page: projectsPage },
  // Loaded on demand: the editor (Tiptap, Y.js) is most of the app's weight.
  {
    pattern: `${PROJECTS_PATH}/:projectId`,
    title: "Project",
    access: "user",
    page: async (ctx) => (await import("./pages/project")).projectPage(ctx),
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
];

// `npm start`: Plaza on this machine with seeded demo data.
//   web/ built by `vite build --watch`, the API Worker on `wrangler dev` (PORT, default 8787),
//   the rooms on `partykit dev` (ROOMS_PORT, default 1999), the Stripe emulator on `wrangler dev`
//   (STRIPE_PORT, default 12111; not started when .dev.vars has a STRIPE_SECRET_KEY), state in
//   PLAZA_STATE_DIR (default .wrangler/state; the emulator's under its stripe-emulator/).
//   Ctrl-C stops everything; if one service dies, all stop.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { ensureDevVars } from "./dev-secrets.mjs";
import { bin, isPortFree, ROOT, startProcess } from "./lib/processes.mjs";
import { startStripeEmulator } from "./lib/stripe-emulator.mjs";
import { WAIT } from "./lib/wait-budgets.mjs";
import { applyMigrations, startWranglerDev } from "./lib/wrangler-dev.mjs";
import { DEFAULT_PERSIST_DIR, DEMO_ITEMS, DEMO_ORGS, DEMO_PASSWORD, DEMO_USERS, seed } from "./seed.mjs";
import { runAnalyticsBackfill } from "./seed-analytics.mjs";
import {
  DEMO_COUPON,
  DEMO_DISPUTE,
  DEMO_TAXED_ORDER,
  seedConnectOnboarding,
  seedCoupon,
  seedOpenDispute,
  seedTaxedOrder,
} from "./seed-payments.mjs";
import { DEMO_PROJECT } from "./seed-projects.mjs";
import { seedStudio } from "./seed-studio.mjs";

const WEB_CONFIG = join(ROOT, "web/vite.config.ts");
const PARTYKIT_CONFIG = join(ROOT, "partykit.json");
const PARTYKIT_DEV = join(ROOT, "scripts/lib/partykit-dev.mjs");

const config = {
  stateDir: resolve(process.env.PLAZA_STATE_DIR ?? DEFAULT_PERSIST_DIR),
  apiPort: Number(process.env.PORT ?? 8787),
  roomsPort: Number(process.env.ROOMS_PORT ?? 1999),
  stripePort: Number(process.env.STRIPE_PORT ?? 12111),
};
const apiOrigin = `http://127.0.0.1:${config.apiPort}`;
const roomsOrigin = `http://127.0.0.1:${config.roomsPort}`;
const stripeOrigin = `http://127.0.0.1:${config.stripePort}`;

/** Running services, in start order: { name, stop(), exited?, output() }. */
const services = [];
/** Services still starting; shutdown waits for them so none is left behind. */
const starting = new Set();
let shuttingDown = false;

const log = (message) => console.log(`[plaza] ${message}`);

// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC (\x1b) begins the cursor-control sequences this strips
const CURSOR_CONTROL = /\x1b\[[0-9;]*[A-HJKSTfGsu]/g;

/** Forwards a child's output line by line, each line prefixed with the service name. */
function prefixedWriter(name) {
  const prefix = `[${name}]`.padEnd(8);
  let partial = "";
  return (chunk) => {
    // Cursor movement (partykit redraws lines) garbles interleaved output; colours are kept.
    const lines = (partial + chunk).replace(CURSOR_CONTROL, "").split(/\r?\n/);
    partial = lines.pop();
    for (const line of lines) process.stdout.write(`${prefix} ${line}\n`);
  };
}

/** Awaits a service start while remembering it, so a Ctrl-C meanwhile can still stop it. */
async function track(name, startPromise) {
  starting.add(startPromise);
  try {
    const service = { name, ...(await startPromise) };
    services.push(service);
    watchForDeath(service);
    return service;
  } finally {
    starting.delete(startPromise);
  }
}

function watchForDeath(service) {
  service.exited?.then((code) => {
    if (shuttingDown) return;
    const tail = service.output().trimEnd().split("\n").slice(-40).join("\n");
    console.error(`\n[plaza] ${service.name} exited unexpectedly (code ${code}); stopping the rest. Last output:\n${tail}`);
    shutdown(1);
  });
}

async function shutdown(exitCode) {
  if (shuttingDown) return;
  shuttingDown = true;
  log("stopping…");
  const pending = await Promise.allSettled([...starting]);
  const late = pending.filter((p) => p.status === "fulfilled").map((p) => p.value);
  await Promise.allSettled([...services, ...late].reverse().map((service) => service.stop()));
  log("stopped");
  process.exit(exitCode);
}

async function assertPortsFree({ withStripe }) {
  const ports = [[config.apiPort, "PORT"], [config.roomsPort, "ROOMS_PORT"], ...(withStripe ? [[config.stripePort, "STRIPE_PORT"]] : [])];
  for (const [port, envName] of ports) {
    if (!(await isPortFree(port))) throw new Error(`port ${port} is already in use; stop what runs there or set ${envName}=<port>`);
  }
}

/** `vite build --watch`; resolves after its first successful build so web/dist is complete. */
async function startWebBuild() {
  const forward = prefixedWriter("web");
  let settle;
  const firstBuild = new Promise((resolveBuild, reject) => (settle = { resolveBuild, reject }));
  const proc = startProcess("web", bin.vite, ["build", "--watch", "--config", WEB_CONFIG], {
    env: { PLAZA_API_URL: `http://127.0.0.1:${config.apiPort}` },
    onOutput(chunk) {
      forward(chunk);
      if (/built in/.test(proc.output())) settle.resolveBuild();
      else if (/Build failed|error during build/i.test(proc.output()))
        settle.reject(new Error("web/ build failed (see [web] output above)"));
    },
  });
  const timer = setTimeout(() => settle.reject(new Error(`web/ build did not finish within ${WAIT.webBuild} ms`)), WAIT.webBuild);
  proc.exited.then((code) => settle.reject(new Error(`vite exited (code ${code}) before its first build:\n${proc.output().slice(-4000)}`)));
  try {
    await firstBuild;
    return proc;
  } catch (err) {
    await proc.stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Secrets reach the Worker through .dev.vars, which wrangler reads itself (not via argv). */
function startApi({ withStripe }) {
  return startWranglerDev({
    persistTo: config.stateDir,
    port: config.apiPort,
    migrate: false,
    vars: {
      APP_URL: apiOrigin,
      ROOMS_URL: roomsOrigin,
      // Only without a STRIPE_SECRET_KEY; with one, Plaza ignores the emulator URL anyway.
      // The demo collects sales tax (the emulator's Stripe Tax), so its taxed order is real.
      ...(withStripe ? { STRIPE_EMULATOR_URL: stripeOrigin, TAX_COLLECTION: "automatic" } : {}),
    },
    onOutput: prefixedWriter("api"),
  });
}

/** The Stripe emulator, signing its webhooks to Plaza with the secrets Plaza checks them against. */
function startStripe(secrets) {
  return startStripeEmulator({
    port: config.stripePort,
    persistTo: join(config.stateDir, "stripe-emulator"),
    plazaUrl: apiOrigin,
    webhookSecret: secrets.STRIPE_WEBHOOK_SECRET,
    connectWebhookSecret: secrets.STRIPE_CONNECT_WEBHOOK_SECRET,
    onOutput: prefixedWriter("stripe"),
  });
}

/** The demo author's org finishes Connect onboarding, so its paid items can be bought. */
async function seedPayments() {
  const org = DEMO_ORGS[0];
  try {
    const { alreadyOnboarded } = await seedConnectOnboarding({
      apiUrl: apiOrigin,
      email: org.owner,
      password: DEMO_PASSWORD,
      orgSlug: org.slug,
    });
    log(alreadyOnboarded ? `${org.name} can already take payments` : `${org.name} completed payout onboarding (Stripe emulator)`);
    return true;
  } catch (err) {
    // Plaza still runs; only buying the demo items will fail with charges_disabled.
    console.error(`[plaza] could not onboard ${org.name} for payments: ${err.message ?? err}`);
    return false;
  }
}

/** One taxed order (a buyer in Germany, 19 % VAT), for Earnings, Purchases and the mailbox to show. */
async function seedTaxDemo() {
  const org = DEMO_ORGS[0];
  try {
    const bought = await seedTaxedOrder({ apiUrl: apiOrigin, authorEmail: org.owner, password: DEMO_PASSWORD, orgSlug: org.slug });
    if (bought) log(`${DEMO_TAXED_ORDER.email} (${DEMO_TAXED_ORDER.country}) bought ${DEMO_TAXED_ORDER.item} with sales tax`);
  } catch (err) {
    // Plaza still runs; the demo only lacks a taxed order.
    console.error(`[plaza] could not seed the taxed order: ${err.message ?? err}`);
  }
}

/** One coupon code (LAUNCH20, 20 % off), for the studio's Coupons tab and a buyer to try. */
async function seedCouponDemo() {
  const org = DEMO_ORGS[0];
  try {
    const created = await seedCoupon({ apiUrl: apiOrigin, authorEmail: org.owner, password: DEMO_PASSWORD, orgSlug: org.slug });
    if (created) log(`${DEMO_COUPON.item} has the coupon ${DEMO_COUPON.code} (${DEMO_COUPON.percentOff} % off)`);
  } catch (err) {
    // Plaza still runs; the demo only lacks a coupon.
    console.error(`[plaza] could not seed the coupon: ${err.message ?? err}`);
  }
}

/** One open dispute (a guest's bank disputes their purchase), for Earnings to show with its deadline. */
async function seedDisputeDemo() {
  const org = DEMO_ORGS[0];
  try {
    const opened = await seedOpenDispute({
      apiUrl: apiOrigin,
      stripeUrl: stripeOrigin,
      authorEmail: org.owner,
      password: DEMO_PASSWORD,
      orgSlug: org.slug,
    });
    if (opened) log(`${DEMO_DISPUTE.email}'s bank disputed their ${DEMO_DISPUTE.item} purchase (open on Earnings)`);
  } catch (err) {
    // Plaza still runs; the demo only lacks a dispute.
    console.error(`[plaza] could not seed the open dispute: ${err.message ?? err}`);
  }
}

/**
 * Icons, screenshots, sales and reviews with replies for the demo author's studio; the purchases
 * only when the emulator could take them (`withPurchases`).
 */
async function seedStudioData({ withPurchases }) {
  const org = DEMO_ORGS[0];
  try {
    const startedAt = Date.now();
    const added = await seedStudio({
      apiUrl: apiOrigin,
      password: DEMO_PASSWORD,
      authorEmail: org.owner,
      orgSlug: org.slug,
      withPurchases,
    });
    const what = Object.entries(added).filter(([, count]) => count > 0);
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    log(
      what.length === 0
        ? `the studio of ${org.name} already has its demo images, sales and reviews`
        : `the studio of ${org.name}: added ${what.map(([kind, count]) => `${count} ${kind}`).join(", ")} (${seconds} s)`,
    );
  } catch (err) {
    // Plaza still runs; the studio only looks emptier.
    console.error(`[plaza] could not seed the studio of ${org.name}: ${err.message ?? err}`);
  }
}

/** The seeded 90 days of history (and today's seeded sales) into the Analytics charts: the backfill job, run as an operator would. */
async function backfillAnalytics() {
  const operator = DEMO_USERS.find((user) => user.isOperator);
  try {
    const startedAt = Date.now();
    const { processed } = await runAnalyticsBackfill({ apiUrl: apiOrigin, operatorEmail: operator.email, password: DEMO_PASSWORD });
    log(`analytics rebuilt from the demo history: ${processed} daily rollups (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
  } catch (err) {
    // Plaza still runs; the Analytics charts only start empty (an operator's "Run now" of analytics-backfill fills them).
    console.error(`[plaza] could not rebuild the analytics: ${err.message ?? err}`);
  }
}

/**
 * The rooms need the Worker's ROOM_TOKEN_SECRET (to accept the tokens it mints and sign their
 * callbacks) and its origin (to load and store snapshots); the Worker reaches them at ROOMS_URL.
 */
async function startRooms(secrets) {
  const { startPartykitDev } = await import(PARTYKIT_DEV);
  return startPartykitDev({
    port: config.roomsPort,
    persistTo: join(config.stateDir, "partykit"),
    vars: { ROOM_TOKEN_SECRET: secrets.ROOM_TOKEN_SECRET, PLAZA_API_URL: apiOrigin },
    onOutput: prefixedWriter("rooms"),
  });
}

function printSummary(api, rooms, stripe) {
  const paid = DEMO_ITEMS.filter((item) => item.pricing.model !== "free");
  const rows = [
    ["Storefront", `${api.url}/`],
    ["Web app (log in)", `${api.url}/login`],
    ["API docs", `${api.url}/docs`],
    ["OpenAPI", `${api.url}/openapi.json`],
    ["Dev mailbox", `${api.url}/dev/mailbox`],
    ["Rooms", rooms ? rooms.url : "not started (party/ or scripts/lib/partykit-dev.mjs missing)"],
    ["Demo project", `${api.url}/dashboard/projects (log in as ${DEMO_PROJECT.owner})`],
    ["Stripe emulator", stripe ? stripe.url : "not started: STRIPE_SECRET_KEY is set, Plaza talks to Stripe itself"],
    ...paid.map((item, i) => [i === 0 ? "Buy a demo item" : "", `${api.url}/items/${item.slug}`]),
    ["State", config.stateDir],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = [
    "",
    "Plaza is running:",
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    "",
    `Demo logins (password: ${DEMO_PASSWORD}):`,
    ...DEMO_USERS.map((user) => `  ${user.email.padEnd(22)}  ${user.role}`),
    "",
    ...(stripe
      ? ["Payments use the local Stripe emulator: its checkout page has Pay and Decline buttons, no card needed.", ""]
      : [
          "Payments use Stripe (test mode). To receive its webhooks locally, run the Stripe CLI:",
          `  stripe listen --forward-to ${api.url}/v1/stripe/webhooks --forward-connect-to ${api.url}/v1/stripe/connect-webhooks`,
          "and put the whsec_… it prints into STRIPE_WEBHOOK_SECRET and STRIPE_CONNECT_WEBHOOK_SECRET in .dev.vars.",
          `The demo author sets up payouts at ${api.url}/dashboard/payouts before the paid items can be bought.`,
          "",
        ]),
    "Press Ctrl-C to stop.",
    "",
  ];
  console.log(lines.join("\n"));
  log(`ready at ${api.url}`);
}

async function main() {
  process.on("SIGINT", () => shutdown(0));
  process.on("SIGTERM", () => shutdown(0));
  process.on("SIGHUP", () => shutdown(0));

  const { vars: secrets, created, added } = ensureDevVars();
  log(
    created
      ? "created .dev.vars with fresh secrets"
      : added.length > 0
        ? `added ${added.join(", ")} to .dev.vars`
        : "using secrets from .dev.vars",
  );
  // Plaza only ever sees .dev.vars (wrangler reads it), so that is where a real key counts.
  const withStripe = !secrets.STRIPE_SECRET_KEY;
  if (!withStripe) log("STRIPE_SECRET_KEY is set in .dev.vars: using Stripe itself (test mode), not the emulator");
  else if (process.env.STRIPE_SECRET_KEY)
    log("STRIPE_SECRET_KEY in the environment is ignored: put it into .dev.vars to use Stripe itself");
  await assertPortsFree({ withStripe });

  if (existsSync(WEB_CONFIG)) {
    log("building web/ (vite build --watch)…");
    await track("web", startWebBuild());
  }
  log(`applying migrations to ${config.stateDir}…`);
  await applyMigrations(config.stateDir);
  log("seeding demo data…");
  await seed({ persistTo: config.stateDir });

  log(withStripe ? "starting the API Worker and the Stripe emulator (wrangler dev)…" : "starting the API Worker (wrangler dev)…");
  const [api, stripe] = await Promise.all([
    track("api", startApi({ withStripe })),
    withStripe ? track("stripe", startStripe(secrets)) : undefined,
  ]);
  let canTakePayments = false;
  if (stripe && !shuttingDown) {
    log("onboarding the demo author for payments…");
    canTakePayments = await seedPayments();
  }
  if (!shuttingDown) {
    log("seeding the demo author's studio through the API…");
    await seedStudioData({ withPurchases: canTakePayments });
    if (canTakePayments) await seedTaxDemo();
    if (canTakePayments) await seedDisputeDemo();
    if (canTakePayments) await seedCouponDemo();
    await backfillAnalytics();
  }
  let rooms;
  if (existsSync(PARTYKIT_DEV) && existsSync(PARTYKIT_CONFIG)) {
    log("starting the rooms (partykit dev)…");
    rooms = await track("rooms", startRooms(secrets));
  }
  if (!shuttingDown) printSummary(api, rooms, stripe);
}

main().catch(async (err) => {
  if (shuttingDown) return;
  console.error(`\n[plaza] could not start: ${err.message ?? err}`);
  await shutdown(1);
});

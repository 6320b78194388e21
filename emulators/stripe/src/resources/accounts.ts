import { Hono } from "hono";
import { z } from "zod";
import { authorizedAccount } from "../connect";
import type { AppEnv } from "../context";
import { invalidRequest } from "../errors";
import { changedFields, emitEvent } from "../events";
import { newId, randomToken } from "../ids";
import { boolString, mergeMetadata, metadata, parseParams } from "../params";
import type { ObjectStore, StripeObject } from "../store";
import { listSchema, paramsSchema, respond, respondList } from "./common";

const capabilityRequests = z.record(z.string(), z.object({ requested: boolString }).strict());
const createParams = paramsSchema({
  type: z.enum(["express", "standard", "custom"]).optional(),
  email: z.string().optional(),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, "must be a two-letter country code")
    .optional(),
  default_currency: z.string().optional(),
  business_type: z.enum(["company", "government_entity", "individual", "non_profit"]).optional(),
  business_profile: z.object({ name: z.string().optional(), url: z.string().optional(), mcc: z.string().optional() }).strict().optional(),
  capabilities: capabilityRequests.optional(),
  metadata,
});
const updateParams = paramsSchema({
  email: z.string().optional(),
  business_profile: z.object({ name: z.string().optional(), url: z.string().optional(), mcc: z.string().optional() }).strict().optional(),
  metadata,
});
const listParams = listSchema({});

export type Account = StripeObject & {
  type: "express" | "standard" | "custom";
  email: string | null;
  charges_enabled: boolean;
  payouts_enabled: boolean;
  details_submitted: boolean;
  capabilities: Record<string, "active" | "inactive" | "pending">;
  requirements: Record<string, unknown>;
  metadata: Record<string, string>;
};

/** What a fresh account still owes Stripe before it can take charges. */
const ONBOARDING_FIELDS = ["business_profile.url", "business_type", "external_account", "tos_acceptance.date", "tos_acceptance.ip"];

const requirements = (due: string[], disabledReason: string | null) => ({
  alternatives: [],
  current_deadline: null,
  currently_due: due,
  disabled_reason: disabledReason,
  errors: [],
  eventually_due: due,
  past_due: due,
  pending_verification: [],
});

const CURRENCY_BY_COUNTRY: Record<string, string> = { US: "usd", GB: "gbp", CA: "cad", AU: "aud", JP: "jpy", CH: "chf" };

export function createAccount(store: ObjectStore, params: z.output<typeof createParams>): Account {
  const id = newId("account");
  const country = (params.country ?? "US").toUpperCase();
  const capabilities = Object.fromEntries(
    Object.entries(params.capabilities ?? {})
      .filter(([, request]) => request.requested)
      .map(([name]) => [name, "inactive" as const]),
  );
  const account: Account = {
    id,
    object: "account",
    business_profile: {
      mcc: params.business_profile?.mcc ?? null,
      name: params.business_profile?.name ?? null,
      support_address: null,
      support_email: null,
      support_phone: null,
      support_url: null,
      url: params.business_profile?.url ?? null,
    },
    business_type: params.business_type ?? null,
    capabilities,
    charges_enabled: false,
    controller: {
      fees: { payer: "application" },
      is_controller: true,
      losses: { payments: "application" },
      requirement_collection: "stripe",
      stripe_dashboard: { type: params.type === "standard" ? "full" : params.type === "custom" ? "none" : "express" },
      type: "application",
    },
    country,
    created: store.now(),
    default_currency: params.default_currency?.toLowerCase() ?? CURRENCY_BY_COUNTRY[country] ?? "eur",
    details_submitted: false,
    email: params.email ?? null,
    external_accounts: { object: "list", data: [], has_more: false, url: `/v1/accounts/${id}/external_accounts` },
    future_requirements: requirements([], null),
    metadata: params.metadata ?? {},
    payouts_enabled: false,
    requirements: requirements(ONBOARDING_FIELDS, "requirements.past_due"),
    settings: {
      dashboard: { display_name: params.business_profile?.name ?? null, timezone: "Etc/UTC" },
      payouts: { debit_negative_balances: true, schedule: { delay_days: 2, interval: "daily" }, statement_descriptor: null },
    },
    tos_acceptance: { date: null },
    type: params.type ?? "express",
  };
  store.insert("account", account);
  return account;
}

/**
 * Saves a changed account and sends `account.updated` to Connect endpoints: the event concerns the
 * connected account, so it carries `account` and lives in that account's event list.
 */
export function saveAccount(store: ObjectStore, before: Account, after: Account): Account {
  store.update(after);
  const previousAttributes = changedFields(before, after);
  if (Object.keys(previousAttributes).length > 0) {
    emitEvent(store, "account.updated", after, { previousAttributes, account: after.id });
  }
  return after;
}

/** What finishing the hosted onboarding form does: details in, every requested capability active. */
export function completeOnboarding(store: ObjectStore, account: Account): Account {
  // With nothing requested, Express accounts get the capabilities a destination charge needs.
  const requested = Object.keys(account.capabilities);
  const names = requested.length ? requested : ["card_payments", "transfers"];
  const capabilities = Object.fromEntries(names.map((name) => [name, "active" as const]));
  return saveAccount(store, account, {
    ...account,
    capabilities,
    charges_enabled: true,
    details_submitted: true,
    payouts_enabled: true,
    requirements: requirements([], null),
    tos_acceptance: { date: store.now(), ip: "127.0.0.1", user_agent: "Stripe emulator" },
  });
}

/** Stripe switching an account's charges on or off (emulated by an admin route). */
export function setChargesEnabled(store: ObjectStore, account: Account, enabled: boolean): Account {
  const capabilities = { ...account.capabilities };
  if (capabilities.card_payments) capabilities.card_payments = enabled ? "active" : "inactive";
  return saveAccount(store, account, {
    ...account,
    capabilities,
    charges_enabled: enabled,
    requirements: enabled ? requirements([], null) : requirements(["business_profile.url"], "requirements.past_due"),
  });
}

/** The platform itself, for `GET /v1/account` without a `Stripe-Account` header. */
const PLATFORM_ACCOUNT: StripeObject = {
  id: "acct_emulatorplatform",
  object: "account",
  business_profile: { name: "Stripe emulator platform" },
  charges_enabled: true,
  country: "US",
  default_currency: "usd",
  details_submitted: true,
  email: null,
  payouts_enabled: true,
  type: "standard",
};

export const accounts = new Hono<AppEnv>()
  .post("/", (c) => {
    if (c.var.store.account) throw invalidRequest("Connected accounts cannot create accounts of their own.");
    return respond(c, createAccount(c.var.store, parseParams(createParams, c.var.params)));
  })
  .get("/", (c) => {
    const params = parseParams(listParams, c.var.params);
    return respondList(c, c.var.store.all<Account>("account"), params);
  })
  .get("/:id", (c) => respond(c, authorizedAccount(c.var.store, c.req.param("id"))))
  .post("/:id", (c) => {
    const params = parseParams(updateParams, c.var.params);
    const store = c.var.store;
    const current = store.get<Account>("account", c.req.param("id"));
    const profile = current.business_profile as Record<string, unknown>;
    return respond(
      c,
      saveAccount(store, current, {
        ...current,
        email: params.email ?? current.email,
        business_profile: { ...profile, ...params.business_profile },
        metadata: mergeMetadata(current.metadata, params.metadata),
      }),
    );
  })
  .post("/:id/login_links", (c) => {
    parseParams(paramsSchema({}), c.var.params);
    const store = c.var.store;
    const account = store.get<Account>("account", c.req.param("id"));
    if (account.type !== "express") throw invalidRequest("Login links can only be created for Express accounts.", "account");
    if (!account.details_submitted) {
      throw invalidRequest("Cannot create a login link for an account that has not completed onboarding.", "account");
    }
    // The token only makes the URL look like Stripe's; the dashboard page shows the account either way.
    return c.json({
      object: "login_link",
      created: store.now(),
      url: `${new URL(c.req.url).origin}/connect/express/${account.id}/${randomToken(16)}`,
    });
  });

/** `GET /v1/account`: the account the request acts as. */
export const currentAccount = new Hono<AppEnv>().get("/", (c) => {
  const account = c.var.store.account;
  return respond(c, account ? c.var.store.get("account", account) : PLATFORM_ACCOUNT);
});

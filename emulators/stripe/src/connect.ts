import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./context";
import { accountInvalid, StripeApiError } from "./errors";
import type { Account } from "./resources/accounts";
import type { ObjectStore } from "./store";

/**
 * `Stripe-Account: acct_…` makes a request act as that connected account: it sees and creates only
 * that account's objects, and the events it causes carry `account`. An account this platform does not
 * have is refused, as Stripe refuses it.
 */
export const actAsAccount = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("stripe-account")?.trim();
  if (header) {
    if (!c.env.store.find<Account>("account", header) || isDeauthorized(c.env.store, header)) throw accountInvalid(header);
    c.set("store", c.env.store.forAccount(header));
  }
  await next();
});

/**
 * A destination charge must go to an account of this platform that can take charges; Stripe refuses
 * both an unknown account and one that has not finished onboarding (or was disabled).
 */
export function requireChargeableDestination(store: ObjectStore, destination: string, param: string): Account {
  const account = store.find<Account>("account", destination);
  if (!account) {
    throw new StripeApiError(400, {
      type: "invalid_request_error",
      code: "resource_missing",
      param,
      message: `No such destination: '${destination}'`,
    });
  }
  if (!account.charges_enabled) {
    throw new StripeApiError(400, {
      type: "invalid_request_error",
      code: "insufficient_capabilities_for_transfer",
      param,
      message:
        `The destination account ${destination} cannot take charges yet: charges_enabled is false. ` +
        "It needs to finish onboarding (or have charges re-enabled) before it can receive destination charges.",
    });
  }
  return account;
}

interface AccountInternal {
  deauthorized?: boolean;
}

/** Whether the account disconnected this platform (`account.application.deauthorized`): it is gone for the platform. */
export const isDeauthorized = (store: ObjectStore, accountId: string) =>
  store.forAccount(null).internal<AccountInternal>(accountId)?.deauthorized === true;

export function markDeauthorized(store: ObjectStore, accountId: string) {
  const platform = store.forAccount(null);
  platform.setInternal(accountId, { ...platform.internal<AccountInternal>(accountId), deauthorized: true } satisfies AccountInternal);
}

/** The account as the platform may read it: a disconnected one is refused as Stripe refuses it. */
export function authorizedAccount(store: ObjectStore, accountId: string): Account {
  const account = store.get<Account>("account", accountId);
  if (isDeauthorized(store, accountId)) throw accountInvalid(accountId);
  return account;
}

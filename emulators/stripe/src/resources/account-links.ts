import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { invalidRequest } from "../errors";
import { newId } from "../ids";
import { parseParams } from "../params";
import type { ObjectStore, StripeObject } from "../store";
import type { Account } from "./accounts";
import { paramsSchema } from "./common";

const createParams = paramsSchema({
  account: z.string(),
  type: z.enum(["account_onboarding", "account_update"]),
  refresh_url: z.string().url().optional(),
  return_url: z.string().url().optional(),
  collect: z.enum(["currently_due", "eventually_due"]).optional(),
  collection_options: z.object({ fields: z.string().optional(), future_requirements: z.string().optional() }).strict().optional(),
});

/** Stripe's account links expire five minutes after they are made. */
export const ACCOUNT_LINK_LIFETIME_SECONDS = 300;

export type AccountLink = StripeObject & {
  account: string;
  created: number;
  expires_at: number;
  refresh_url: string;
  return_url: string;
  used: boolean;
};

/** Whether the hosted page may still be opened with this link: not once it expired or was used (Stripe sends those to refresh_url). */
export function usableLink(store: ObjectStore, link: AccountLink): boolean {
  return !link.used && store.now() <= link.expires_at;
}

export const accountLinks = new Hono<AppEnv>().post("/", (c) => {
  const params = parseParams(createParams, c.var.params);
  const store = c.var.store;
  const account = store.get<Account>("account", params.account, "account");
  if (params.type === "account_update" && account.type === "express") {
    throw invalidRequest("You cannot create `account_update` type Account Links for Express accounts.", "type");
  }
  if (!params.refresh_url) throw invalidRequest("Missing required param: refresh_url.", "refresh_url");
  if (!params.return_url) throw invalidRequest("Missing required param: return_url.", "return_url");
  const created = store.now();
  // The link itself is kept (by the token in its URL) so the hosted page can check expiry and reuse.
  const link: AccountLink = {
    id: newId("account_link"),
    object: "account_link",
    account: account.id,
    created,
    expires_at: created + ACCOUNT_LINK_LIFETIME_SECONDS,
    refresh_url: params.refresh_url,
    return_url: params.return_url,
    used: false,
  };
  store.insert("account_link", link);
  return c.json({
    object: "account_link",
    created,
    expires_at: link.expires_at,
    url: `${new URL(c.req.url).origin}/connect/onboarding/${link.id}`,
  });
});

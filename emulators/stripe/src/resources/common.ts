import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { expandObject } from "../expand";
import { listParams, paginate } from "../list";
import { expand } from "../params";
import type { StripeObject } from "../store";

type Ctx = Context<AppEnv>;

/** A strict params schema (unknown params are errors, as in Stripe) that always allows `expand[]`. */
export const paramsSchema = <T extends z.ZodRawShape>(shape: T) => z.object({ ...shape, expand }).strict();

/** A list endpoint's schema: pagination plus the endpoint's filters. */
export const listSchema = <T extends z.ZodRawShape>(filters: T) => z.object({ ...listParams, ...filters }).strict();

const expandPaths = (c: Ctx) => c.var.params.expand as string[] | undefined;

export function respond(c: Ctx, object: StripeObject) {
  return c.json(expandObject(c.var.store, object, expandPaths(c)));
}

export function respondList(c: Ctx, items: StripeObject[], page: { limit?: number; starting_after?: string; ending_before?: string }) {
  const list = paginate(items, c.req.path, page);
  return c.json(expandObject(c.var.store, list, expandPaths(c)));
}

/** On update Stripe clears a field sent as an empty string; absent means unchanged. */
export function updated<T>(value: string | undefined, current: T): string | null | T {
  if (value === undefined) return current;
  return value === "" ? null : value;
}

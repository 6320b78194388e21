import { z } from "zod";
import { invalidRequest } from "./errors";
import { intString } from "./params";
import type { StripeObject } from "./store";

/** The pagination parameters every list endpoint takes. */
export const listParams = {
  limit: intString.optional(),
  starting_after: z.string().optional(),
  ending_before: z.string().optional(),
  expand: z.array(z.string()).optional(),
};

export interface PageOptions {
  limit?: number;
  starting_after?: string;
  ending_before?: string;
}

export interface ListObject<T> {
  object: "list";
  data: T[];
  has_more: boolean;
  url: string;
}

/**
 * One page of `items` (newest first). `starting_after` pages towards older objects, `ending_before`
 * towards newer ones, both exclusive of the cursor object, as Stripe does.
 */
export function paginate<T extends StripeObject>(items: T[], url: string, options: PageOptions): ListObject<T> {
  const limit = options.limit ?? 10;
  if (limit < 1 || limit > 100) throw invalidRequest("Invalid limit: must be between 1 and 100", "limit");
  if (options.starting_after && options.ending_before) {
    throw invalidRequest("You may only specify one of these parameters: ending_before, starting_after.", "ending_before");
  }
  const cursorIndex = (cursor: string, param: string) => {
    const index = items.findIndex((item) => item.id === cursor);
    if (index < 0) throw invalidRequest(`No such object: '${cursor}'`, param, "resource_missing");
    return index;
  };
  if (options.ending_before) {
    const end = cursorIndex(options.ending_before, "ending_before");
    const start = Math.max(0, end - limit);
    return { object: "list", data: items.slice(start, end), has_more: start > 0, url };
  }
  const start = options.starting_after ? cursorIndex(options.starting_after, "starting_after") + 1 : 0;
  const data = items.slice(start, start + limit);
  return { object: "list", data, has_more: start + limit < items.length, url };
}

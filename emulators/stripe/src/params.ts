import { z } from "zod";
import { invalidRequest } from "./errors";
import type { FormObject } from "./form";

/** Form values arrive as strings; these schemas coerce them the way Stripe's API does. */
export const intString = z
  .string()
  .regex(/^-?\d+$/, "Invalid integer")
  .transform(Number);

/** Stripe's decimal params (`application_fee_percent=12.5`). */
export const decimalString = z
  .string()
  .regex(/^\d+(\.\d+)?$/, "Invalid decimal")
  .transform(Number);

export const boolString = z.enum(["true", "false"]).transform((v) => v === "true");

/** `metadata[key]=value`; an empty value deletes the key on update. */
export const metadata = z.record(z.string(), z.string()).optional();

export const expand = z.array(z.string()).optional();

/** `a[b][0]` from a zod path, the way Stripe names a failing param. */
export function paramName(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  return (head ?? "") + rest.map((segment) => `[${segment}]`).join("");
}

/** Validates decoded form params; the first problem becomes a Stripe invalid_request_error with `param`. */
export function parseParams<S extends z.ZodType>(schema: S, params: FormObject | Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    const param = paramName([...issue.path, issue.keys[0]!]);
    throw invalidRequest(`Received unknown parameter: ${param}`, param);
  }
  const param = paramName(issue.path);
  const missing = issue.code === "invalid_type" && valueAt(params, issue.path) === undefined;
  throw invalidRequest(missing ? `Missing required param: ${param}.` : `Invalid ${param}: ${issue.message}`, param);
}

/** Applies `metadata` updates: an empty string removes a key, as in Stripe. */
export function mergeMetadata(current: Record<string, string>, update: Record<string, string> | undefined) {
  if (!update) return current;
  const merged = { ...current, ...update };
  for (const [key, value] of Object.entries(update)) if (value === "") delete merged[key];
  return merged;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

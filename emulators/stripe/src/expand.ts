import { invalidRequest } from "./errors";
import { typeOfId } from "./ids";
import type { ObjectStore, StripeObject } from "./store";

/** Fields that hold an id Stripe lets you expand into the object it names. */
const EXPANDABLE = new Set([
  "customer",
  "product",
  "price",
  "payment_intent",
  "latest_charge",
  "charge",
  "subscription",
  "default_price",
  "invoice",
  "latest_invoice",
  "test_clock",
  "destination",
]);

/**
 * Applies `expand[]` paths like `customer` or `payment_intent.latest_charge` to one object. On a list,
 * paths start with `data.` and apply to each item, as in Stripe.
 */
export function expandObject<T>(store: ObjectStore, object: T, paths: string[] | undefined): T {
  if (!paths?.length) return object;
  let result = structuredClone(object);
  for (const path of paths) result = expandPath(store, result, path.split("."), path) as T;
  return result;
}

function expandPath(store: ObjectStore, target: unknown, segments: string[], fullPath: string): unknown {
  const [field, ...rest] = segments;
  if (!field || target === null || typeof target !== "object") return target;
  const record = target as Record<string, unknown>;
  if (field === "data" && record.object === "list" && Array.isArray(record.data)) {
    record.data = record.data.map((item) => expandPath(store, item, rest, fullPath));
    return record;
  }
  if (!(field in record) || (!EXPANDABLE.has(field) && typeof record[field] === "string")) {
    throw invalidRequest(`This property cannot be expanded (${field}).`, "expand");
  }
  let value = record[field];
  if (typeof value === "string") value = load(store, value, fullPath);
  record[field] = rest.length ? expandPath(store, value, rest, fullPath) : value;
  return record;
}

function load(store: ObjectStore, id: string, fullPath: string): StripeObject | string {
  const type = typeOfId(id);
  if (!type) throw invalidRequest(`This property cannot be expanded (${fullPath}).`, "expand");
  return store.find(type, id) ?? id;
}

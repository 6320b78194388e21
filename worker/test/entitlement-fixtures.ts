/** Test helpers for what builds on entitlements (reviews, the authorization matrix). */
import type { TestUser } from "./fixtures";
import { call } from "./http";

/** Gets a free item through the API, as a buyer would; returns the entitlement. */
export async function getFreeItem(user: TestUser, slug: string) {
  const res = await call("POST", `/v1/items/${slug}/get`, { token: user.accessToken });
  if (res.status !== 201 && res.status !== 200) throw new Error(`get failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; itemId: string; source: string; status: string };
}

/** Test helpers: an item reviewed by a buyer, through the real routes. */
import { insertItem } from "./catalog-fixtures";
import { getFreeItem } from "./entitlement-fixtures";
import type { TestUser } from "./fixtures";
import { call } from "./http";

export async function postReview(user: TestUser, slug: string, rating: number) {
  const res = await call("POST", `/v1/items/${slug}/reviews`, {
    token: user.accessToken,
    body: { rating, title: `${rating} stars`, body: "Works for me" },
  });
  if (res.status !== 201) throw new Error(`review failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; rating: number };
}

/** A fresh free item of `orgId` that `reviewer` got and reviewed. */
export async function reviewedItem(orgId: string, reviewer: TestUser, rating = 4) {
  const item = await insertItem(orgId);
  await getFreeItem(reviewer, item.slug);
  const review = await postReview(reviewer, item.slug, rating);
  return { item, review };
}

import { and, desc, eq, ne } from "drizzle-orm";
import type { z } from "zod";
import type { CreateItemBody, ItemT, UpdateItemBody } from "../../../shared/catalog";
import { auditInsert } from "../audit";
import type { Ctx } from "../context";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import type { OrgAccess } from "../http/access";
import { AppError } from "../http/errors";
import { findOrg } from "../orgs";
import { enqueueWebhookEvents, webhookEvent } from "../webhooks";
import { findOrgItem, type ItemRow, itemColumns, toItem } from "./queries";
import { findSquattedSlug } from "./slug-squatting";
import { items, itemTags } from "./tables";

const slugTaken = (slug: string, detail: string) =>
  new AppError("conflict", `The slug "${slug}" ${detail}`, { fields: { "body.slug": [detail] } });

/** Replaces an item's tag rows: the filterable copy of `items.tags`. */
function tagStatements(db: Db, itemId: string, tags: string[]) {
  return [
    db.delete(itemTags).where(eq(itemTags.itemId, itemId)),
    ...[...new Set(tags)].map((tag) => db.insert(itemTags).values({ itemId, tag })),
  ];
}

export async function createItem(
  ctx: Ctx,
  { access, input }: { access: OrgAccess; input: z.infer<typeof CreateItemBody> },
): Promise<ItemT> {
  const { db } = ctx;
  const [taken] = await db.select({ id: items.id }).from(items).where(eq(items.slug, input.slug)).limit(1);
  if (taken) throw slugTaken(input.slug, "is taken");
  const squatted = await findSquattedSlug(db, input.slug, access.orgId);
  if (squatted) throw slugTaken(input.slug, `is too close to the existing item "${squatted}"`);

  const now = Date.now();
  const tags = [...new Set(input.tags)];
  const row = {
    id: newId("item"),
    orgId: access.orgId,
    slug: input.slug,
    name: input.name,
    summary: input.summary,
    description: input.description,
    category: input.category,
    tags: tags.join(" "),
    pricing: input.pricing,
    isFree: input.pricing.model === "free",
    status: "draft" as const,
    screenshotKeys: [],
    createdAt: now,
    updatedAt: now,
  };
  try {
    await db.batch([
      db.insert(items).values(row),
      ...tagStatements(db, row.id, tags),
      auditInsert(ctx, {
        action: "item.created",
        orgId: access.orgId,
        actorUserId: access.principal.userId,
        targetType: "item",
        targetId: row.id,
        metadata: { slug: row.slug },
      }),
    ]);
  } catch (err) {
    if (String(err).includes("UNIQUE")) throw slugTaken(input.slug, "is taken");
    throw err;
  }
  return await orgItem(db, access.orgId, row.id);
}

/** One of the org's items as the API shows it; 404 for anyone else's. */
export async function orgItem(db: Db, orgId: string, itemId: string): Promise<ItemT> {
  const { item, org } = await findOrgItem(db, orgId, itemId);
  return toItem(item, org);
}

export async function getOrgItem(ctx: Ctx, { orgId, itemId }: { orgId: string; itemId: string }): Promise<ItemT> {
  return orgItem(ctx.db, orgId, itemId);
}

export async function listOrgItems(ctx: Ctx, { orgId }: { orgId: string }): Promise<ItemT[]> {
  const org = await findOrg(ctx.db, orgId);
  if (!org) throw new AppError("not_found", "Org not found");
  const rows = await ctx.db.select(itemColumns).from(items).where(eq(items.orgId, orgId)).orderBy(desc(items.updatedAt)).limit(500);
  return rows.map((r) => toItem(r, org));
}

/**
 * Authors edit everything but moderation: a removed item stays removed, and publishing needs a
 * version to install.
 */
export async function updateItem(
  ctx: Ctx,
  { access, itemId, input }: { access: OrgAccess; itemId: string; input: z.infer<typeof UpdateItemBody> },
): Promise<ItemT> {
  const { db } = ctx;
  const { item } = await findOrgItem(db, access.orgId, itemId);
  if (item.status === "removed")
    throw new AppError("conflict", `This item was removed by an operator: ${item.moderationReason ?? "no reason given"}`);
  // An operator's unlisting stands until an operator restores the item.
  if (input.status && item.moderationReason) {
    throw new AppError(
      "conflict",
      `An operator unlisted this item (${item.moderationReason}); its status can't be changed until it is restored`,
    );
  }
  if (input.status === "published" && !item.latestVersion) {
    throw new AppError("conflict", "Publish a version before publishing the item", {
      fields: { "body.status": ["needs a published version first"] },
    });
  }
  const now = Date.now();
  const tags = input.tags ? [...new Set(input.tags)] : undefined;
  const publishing = input.status === "published" && item.status !== "published";
  // Another org may have published a look-alike since this draft was created.
  const squatted = publishing ? await findSquattedSlug(db, item.slug, access.orgId) : undefined;
  if (squatted) throw new AppError("conflict", `The slug "${item.slug}" is too close to the published item "${squatted}"`);
  const event = publishing
    ? await webhookEvent(
        db,
        access.orgId,
        "item.published",
        { item: { id: item.id, slug: item.slug, name: input.name ?? item.name }, publishedAt: now },
        { cause: `${item.id}:${now}`, now },
      )
    : undefined;
  await db.batch([
    db
      .update(items)
      .set({
        ...(input.name !== undefined && { name: input.name }),
        ...(input.summary !== undefined && { summary: input.summary }),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.category !== undefined && { category: input.category }),
        ...(tags && { tags: tags.join(" ") }),
        ...(input.pricing && { pricing: input.pricing, isFree: input.pricing.model === "free" }),
        ...(input.status && { status: input.status }),
        ...(publishing && !item.publishedAt && { publishedAt: now }),
        updatedAt: now,
      })
      // Re-checked at write time: an operator may remove the item between our read and this batch.
      .where(and(eq(items.id, itemId), eq(items.orgId, access.orgId), ne(items.status, "removed"))),
    ...(tags ? tagStatements(db, itemId, tags) : []),
    auditInsert(ctx, {
      action: publishing ? "item.published" : "item.updated",
      orgId: access.orgId,
      actorUserId: access.principal.userId,
      targetType: "item",
      targetId: itemId,
      metadata: { fields: Object.keys(input) },
    }),
    ...(event ? [event.insert] : []),
  ]);
  if (event) await enqueueWebhookEvents(ctx.env, [event.id]);
  await ctx.events.emit("catalog.changed", { orgId: access.orgId, itemIds: [itemId] });
  return orgItem(db, access.orgId, itemId);
}

export type ModerationState = Pick<ItemRow, "status" | "moderationReason" | "publishedAt" | "updatedAt">;

/** The statement that puts an item under an operator's moderation (or lifts it), for moderation's batch. */
export const moderationStatement = (db: Db, itemId: string, state: ModerationState) =>
  db.update(items).set(state).where(eq(items.id, itemId));

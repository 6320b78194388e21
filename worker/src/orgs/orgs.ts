/** Creating, reading and renaming orgs. */
import { eq } from "drizzle-orm";
import type { OrgT } from "../../../shared/api";
import { auditInsert } from "../audit";
import { activeOrgIfUnset } from "../auth";
import type { Ctx } from "../context";
import { newId } from "../crypto/random";
import type { OrgAccess } from "../http/access";
import { AppError } from "../http/errors";
import { findOrg, findOrgBySlug } from "./queries";
import { memberships, orgs } from "./tables";

const slugTaken = (slug: string) => new AppError("conflict", `The slug "${slug}" is taken`, { fields: { "body.slug": ["is taken"] } });

export async function createOrg(ctx: Ctx, input: { userId: string; name: string; slug: string }): Promise<OrgT> {
  const { db } = ctx;
  const { userId } = input;
  if (await findOrgBySlug(db, input.slug)) throw slugTaken(input.slug);
  const org = { id: newId("org"), slug: input.slug, name: input.name, createdAt: Date.now() };
  try {
    await db.batch([
      db.insert(orgs).values(org),
      db.insert(memberships).values({ orgId: org.id, userId, role: "owner", createdAt: org.createdAt }),
      // The first org a user creates becomes their active one.
      activeOrgIfUnset(db, userId, org.id),
      auditInsert(ctx, {
        action: "org.created",
        orgId: org.id,
        actorUserId: userId,
        targetType: "org",
        targetId: org.id,
        metadata: { slug: org.slug },
      }),
    ]);
  } catch (err) {
    if (String(err).includes("UNIQUE")) throw slugTaken(input.slug);
    throw err;
  }
  return { ...org, role: "owner" };
}

export async function getOrg(ctx: Ctx, access: OrgAccess): Promise<OrgT> {
  const org = await findOrg(ctx.db, access.orgId);
  if (!org) throw new AppError("not_found", "Org not found");
  return { id: org.id, slug: org.slug, name: org.name, createdAt: org.createdAt, role: access.role };
}

export async function updateOrg(ctx: Ctx, input: { access: OrgAccess; name: string }): Promise<OrgT> {
  const { db } = ctx;
  const { access, name } = input;
  await db.batch([
    db.update(orgs).set({ name }).where(eq(orgs.id, access.orgId)),
    auditInsert(ctx, {
      action: "org.updated",
      orgId: access.orgId,
      actorUserId: access.principal.userId,
      targetType: "org",
      targetId: access.orgId,
      metadata: { name },
    }),
  ]);
  return getOrg(ctx, access);
}

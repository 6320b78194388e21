import { eq, sql } from "drizzle-orm";
import { gt, maxSatisfying, rcompare } from "semver";
import type { z } from "zod";
import type { UpdateCheckBody, UpdateCheckResult, VersionChange } from "../../../shared/catalog";
import type { Ctx } from "../context";
import { VISIBLE_STATUSES } from "./queries";
import { items, versions } from "./tables";
import type { VersionRow } from "./version-rows";

type CheckedRow = Pick<VersionRow, "version" | "channel" | "engineRange" | "yankedAt">;

const installable = (r: CheckedRow, engine?: string) => r.yankedAt === null && (!engine || maxSatisfying([engine], r.engineRange) !== null);

/** For update checks: the newest non-yanked version per channel that fits the engine, if newer. */
export function newestCompatible(rows: CheckedRow[], channel: "stable" | "beta", installed: string, engine?: string) {
  const candidates = rows.filter((r) => r.channel === channel && installable(r, engine));
  const best = candidates.map((r) => r.version).sort(rcompare)[0];
  return best && gt(best, installed) ? best : null;
}

/** The versions an update from `installed` would bring (either channel), newest first, with their changelogs. */
function changesSince(
  rows: (CheckedRow & Pick<VersionRow, "changelog" | "createdAt">)[],
  installed: string,
  engine?: string,
): z.infer<typeof VersionChange>[] {
  return rows
    .filter((r) => installable(r, engine) && gt(r.version, installed))
    .sort((a, b) => rcompare(a.version, b.version))
    .map((r) => ({ version: r.version, channel: r.channel, changelog: r.changelog, publishedAt: r.createdAt }));
}

const visible = new Set<string>(VISIBLE_STATUSES);

/**
 * `POST /v1/updates/check`: per installed item that is still visible, the newest compatible version
 * per channel, whether the installed one was yanked, and the changelogs of the newer ones.
 */
export async function checkUpdates(
  ctx: Ctx,
  { installed, engine }: z.infer<typeof UpdateCheckBody>,
): Promise<z.infer<typeof UpdateCheckResult>> {
  const slugs = [...new Set(installed.map((i) => i.item))];
  const rows = await ctx.db
    .select({
      slug: items.slug,
      status: items.status,
      version: versions.version,
      channel: versions.channel,
      engineRange: versions.engineRange,
      yankedAt: versions.yankedAt,
      changelog: versions.changelog,
      createdAt: versions.createdAt,
    })
    .from(items)
    .innerJoin(versions, eq(versions.itemId, items.id))
    // Up to 200 slugs as one JSON parameter: D1 allows at most 100 bound parameters.
    .where(sql`${items.slug} IN (SELECT value FROM json_each(${JSON.stringify(slugs)}))`);
  const data = installed
    .filter((i) => rows.some((r) => r.slug === i.item && visible.has(r.status)))
    .map((i) => {
      const own = rows.filter((r) => r.slug === i.item);
      return {
        item: i.item,
        installed: i.version,
        stable: newestCompatible(own, "stable", i.version, engine),
        beta: newestCompatible(own, "beta", i.version, engine),
        yanked: own.some((r) => r.version === i.version && r.yankedAt !== null),
        changes: changesSince(own, i.version, engine),
      };
    });
  return { data };
}

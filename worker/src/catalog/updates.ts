import { eq, sql } from "drizzle-orm";
import { gt, maxSatisfying, rcompare } from "semver";
import type { z } from "zod";
import type { UpdateCheckBody, UpdateCheckResult } from "../../../shared/catalog";
import type { Ctx } from "../context";
import { VISIBLE_STATUSES } from "./queries";
import { items, versions } from "./tables";
import type { VersionRow } from "./version-rows";

/** For update checks: the newest non-yanked version per channel that fits the engine, if newer. */
export function newestCompatible(
  rows: Pick<VersionRow, "version" | "channel" | "engineRange" | "yankedAt">[],
  channel: "stable" | "beta",
  installed: string,
  engine?: string,
) {
  const candidates = rows.filter(
    (r) => r.channel === channel && r.yankedAt === null && (!engine || maxSatisfying([engine], r.engineRange) !== null),
  );
  const best = candidates.map((r) => r.version).sort(rcompare)[0];
  return best && gt(best, installed) ? best : null;
}

const visible = new Set<string>(VISIBLE_STATUSES);

/** `POST /v1/updates/check`: per installed item that is still visible, the newest compatible version per channel. */
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
      };
    });
  return { data };
}

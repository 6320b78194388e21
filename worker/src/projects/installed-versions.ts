/** Which version of an item a project installs, read from catalog and chosen by the project's channel. */
import { channelAccepts, type ProjectChannelT } from "../../../shared/projects";
import { listVersions } from "../catalog";
import type { Db } from "../db/client";
import { AppError } from "../http/errors";

/**
 * `wanted` if it is an installable (published, not yanked) version on the project's channel;
 * without one, the newest such version, or null when the item has none.
 */
export async function versionToInstall(
  db: Db,
  { itemId, channel, wanted }: { itemId: string; channel: ProjectChannelT; wanted?: string },
): Promise<string | null> {
  const installable = (await listVersions(db, itemId, { includeYanked: false })).filter((v) => channelAccepts(channel, v.channel));
  if (wanted === undefined) return installable[0]?.version ?? null;
  if (installable.some((v) => v.version === wanted)) return wanted;
  const onChannel = channel === "stable" ? " on the stable channel, which this project follows" : "";
  throw new AppError("invalid_request", `${wanted} is not an installable version of this item${onChannel}`, {
    fields: { "body.version": [`is not an installable version${onChannel}`] },
  });
}

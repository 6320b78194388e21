/**
 * What the update check (`POST /v1/updates/check`) says of a project's installed items, read for the
 * project's channel: the version an update moves to (as installing does: the newest installable
 * version the channel takes), the changelogs on the way, and whether the installed one was yanked.
 */
import type { z } from "zod";
import type { UpdateCheckResult, VersionChange } from "../../../../shared/catalog";
import { channelAccepts, type ProjectChannelT, type ProjectT } from "../../../../shared/projects";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";

type CheckEntry = z.infer<typeof UpdateCheckResult>["data"][number];

export interface ItemUpdate {
  installed: string;
  /** The version Update moves to, or null when the installed one is the newest the channel takes. */
  to: string | null;
  /** The versions between, newest first, with their changelogs. */
  changes: z.infer<typeof VersionChange>[];
  yanked: boolean;
}

export function updateFor(entry: CheckEntry, channel: ProjectChannelT): ItemUpdate {
  const changes = entry.changes.filter((change) => channelAccepts(channel, change.channel));
  return { installed: entry.installed, to: changes[0]?.version ?? null, changes, yanked: entry.yanked };
}

/** Per installed item's slug (those with a recorded version), what an update would bring. */
export async function checkItemUpdates(project: ProjectT): Promise<Map<string, ItemUpdate>> {
  const installed = project.items.flatMap((item) => (item.version ? [{ item: item.slug, version: item.version }] : []));
  // One check takes at most 200 items.
  const batches = Array.from({ length: Math.ceil(installed.length / 200) }, (_, i) => installed.slice(i * 200, (i + 1) * 200));
  const answers = await Promise.all(batches.map((batch) => unwrap(api.v1.updates.check.$post({ json: { installed: batch } }))));
  return new Map(answers.flatMap(({ data }) => data.map((entry) => [entry.item, updateFor(entry, project.channel)] as const)));
}

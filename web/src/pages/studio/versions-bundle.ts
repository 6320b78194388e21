/**
 * A bundle as the Versions tab publishes it: the .tar.gz that `plaza publish` packs, read in the
 * browser. Its manifest is the `plaza.json` at the top of the archive, as the CLI sends it (the
 * version number comes from there too), checked against the shared schema field by field before
 * anything is sent; its SHA-256 is computed here, as the API wants it declared first.
 */
import { parseTarGzip } from "nanotar";
import { rcompare, gt as semverGreater } from "semver";
import type { CHANNELS, ItemT, VersionT } from "../../../../shared/catalog";
import { Manifest, type ManifestT } from "../../../../shared/manifest";

export const MANIFEST_FILE = "plaza.json";

export class BundleProblem extends Error {}

/** The parsed JSON of the bundle's plaza.json (not yet validated). */
export async function readBundleManifest(file: Blob): Promise<unknown> {
  let entries: Awaited<ReturnType<typeof parseTarGzip>>;
  try {
    // `tar czf b.tgz -C plugin .` names it ./plaza.json; `plaza publish` names it plaza.json.
    entries = await parseTarGzip(await file.arrayBuffer(), { filter: (entry) => entry.name.replace(/^\.\//, "") === MANIFEST_FILE });
  } catch {
    throw new BundleProblem("This is not a .tar.gz archive. Choose the bundle that “plaza publish” packs (a gzipped tar).");
  }
  const entry = entries[0];
  if (!entry) throw new BundleProblem(`The bundle has no ${MANIFEST_FILE} at its top level: it says which item and version this is.`);
  try {
    return JSON.parse(entry.text);
  } catch (err) {
    throw new BundleProblem(`${MANIFEST_FILE} in the bundle is not valid JSON: ${(err as Error).message}`);
  }
}

/** Field key (`manifest.engines.plaza`, `version`) → messages, as the form's error slots are named. */
export type FieldErrors = Record<string, string[]>;

const add = (errors: FieldErrors, key: string, message: string) => {
  errors[key] = [...(errors[key] ?? []), message];
};

/**
 * The manifest, or every reason the API would refuse it for this item and channel: the schema's
 * per-field checks, the item's slug, and a version that is new and greater than the channel's latest.
 */
export function checkManifest(
  raw: unknown,
  { item, channel, versions }: { item: Pick<ItemT, "slug">; channel: (typeof CHANNELS)[number]; versions: VersionT[] },
): { manifest: ManifestT; errors?: never } | { manifest?: never; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) add(errors, ["manifest", ...issue.path.map(String)].join("."), issue.message);
    return { errors };
  }
  const manifest = parsed.data;
  if (manifest.name !== item.slug) add(errors, "manifest.name", `must be the item's slug "${item.slug}"`);
  if (versions.some((v) => v.version === manifest.version)) add(errors, "manifest.version", "already exists");
  else {
    // Yanked versions count: a number once used is never reissued (as the API checks).
    const latest = versions
      .filter((v) => v.channel === channel)
      .map((v) => v.version)
      .sort(rcompare)[0];
    if (latest && !semverGreater(manifest.version, latest))
      add(errors, "manifest.version", `must be greater than ${latest}, the latest on the ${channel} channel`);
  }
  return Object.keys(errors).length > 0 ? { errors } : { manifest };
}

/** Lowercase hex SHA-256 of the bundle's bytes. */
export async function sha256Hex(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

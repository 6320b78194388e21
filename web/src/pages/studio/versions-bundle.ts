/**
 * A bundle as the Versions tab publishes it: the .tar.gz that `plaza publish` packs, read in the
 * browser. Its manifest is the `plaza.json` at the top of the archive, as the CLI sends it (the
 * version number comes from there too), checked against the shared schema field by field before
 * anything is sent; its SHA-256 is computed here, as the API wants it declared first. Both stream
 * the file: a bundle may be 2 GiB, more than a tab can hold in memory.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { createTarDecoder } from "modern-tar";
import { rcompare, gt as semverGreater } from "semver";
import type { CHANNELS, ItemT, VersionT } from "../../../../shared/catalog";
import { Manifest, type ManifestT } from "../../../../shared/manifest";

export const MANIFEST_FILE = "plaza.json";

export class BundleProblem extends Error {}

/** The text of the archive's top-level plaza.json, or undefined if it has none. Reads only up to it. */
async function manifestText(file: Blob): Promise<string | undefined> {
  // strict: a gzipped file that is not a tar fails its header checksums instead of reading as empty.
  const entries = file
    .stream()
    .pipeThrough(new DecompressionStream("gzip"))
    .pipeThrough(createTarDecoder({ strict: true }))
    .getReader();
  try {
    for (;;) {
      const { done, value: entry } = await entries.read();
      if (done) return undefined;
      // `tar czf b.tgz -C plugin .` names it ./plaza.json; `plaza publish` names it plaza.json.
      if (entry.header.name.replace(/^\.\//, "") === MANIFEST_FILE) return await new Response(entry.body).text();
      // Skipped, not read: the decoder moves on to the next entry once a body is canceled.
      await entry.body.cancel();
    }
  } finally {
    // Stops reading the file (and decompressing) past plaza.json.
    await entries.cancel().catch(() => {});
  }
}

/** The parsed JSON of the bundle's plaza.json (not yet validated). */
export async function readBundleManifest(file: Blob): Promise<unknown> {
  let text: string | undefined;
  try {
    text = await manifestText(file);
  } catch {
    throw new BundleProblem("This is not a .tar.gz archive. Choose the bundle that “plaza publish” packs (a gzipped tar).");
  }
  if (text === undefined)
    throw new BundleProblem(`The bundle has no ${MANIFEST_FILE} at its top level: it says which item and version this is.`);
  try {
    return JSON.parse(text);
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

/**
 * Lowercase hex SHA-256 of the bundle's bytes, read chunk by chunk (crypto.subtle.digest wants them
 * all at once); `onProgress` gets the fraction read so far.
 */
export async function sha256Hex(file: Blob, onProgress?: (fraction: number) => void): Promise<string> {
  const hash = sha256.create();
  const chunks = file.stream().getReader();
  let read = 0;
  for (;;) {
    const { done, value } = await chunks.read();
    if (done) break;
    hash.update(value);
    read += value.length;
    onProgress?.(read / file.size);
  }
  return bytesToHex(hash.digest());
}

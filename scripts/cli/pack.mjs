// Packs a plugin folder into a gzipped tarball in memory, byte-for-byte reproducible: the same
// files give the same SHA-256 on any machine, so the checksum identifies the contents.
import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { Pack } from "tar";

/** Every entry gets this mtime; real mtimes would change the checksum on every checkout. */
const FIXED_MTIME = new Date("2000-01-01T00:00:00Z");
/** Dependencies are bundled by the author's build, never shipped as a folder. */
const SKIPPED_DIRECTORIES = new Set(["node_modules"]);

/** Dotfiles and dot-folders (.git, .env, .DS_Store) are private to the author's machine. */
const isSkipped = (name) => name.startsWith(".") || SKIPPED_DIRECTORIES.has(name);

/**
 * The regular files to ship, as sorted POSIX paths relative to `dir`. Symlinks are left out (and
 * reported) because they could point outside the folder.
 */
export async function listBundleFiles(dir) {
  const files = [];
  const skippedLinks = [];
  async function walk(relative) {
    const entries = await readdir(join(dir, relative), { withFileTypes: true });
    for (const entry of entries) {
      if (isSkipped(entry.name)) continue;
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) skippedLinks.push(path);
      else if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.push(path);
    }
  }
  await walk("");
  // Code-unit order, not localeCompare: the order must not depend on the machine's locale.
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  skippedLinks.sort();
  return { files, skippedLinks };
}

/** @returns {Promise<{ bytes: Buffer, sha256: string, size: number, files: string[], skippedLinks: string[] }>} */
export async function packFolder(dir) {
  const { files, skippedLinks } = await listBundleFiles(dir);
  // Pack rather than tar.create: create() would read a file named `@x` as an archive to merge.
  const pack = new Pack({
    cwd: dir,
    gzip: true,
    // portable drops uid/gid/user names/atime/ctime and normalises modes to 0644/0755.
    portable: true,
    mtime: FIXED_MTIME,
    noDirRecurse: true,
    strict: true,
  });
  const done = pack.concat();
  for (const file of files) pack.add(file);
  pack.end();
  const bytes = await done;
  return { bytes, sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length, files, skippedLinks };
}

// The archive is reproducible and ships only the plugin: no server needed.
import { mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { list } from "tar";
import { describe, expect, it } from "vitest";
// @ts-expect-error: plain .mjs module without type declarations
import { packFolder } from "./pack.mjs";

function pluginFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "plaza-pack-"));
  writeFileSync(join(dir, "plaza.json"), '{"name":"x","version":"1.0.0"}');
  mkdirSync(join(dir, "src/lib"), { recursive: true });
  writeFileSync(join(dir, "src/lib/b.js"), "b");
  writeFileSync(join(dir, "src/a.js"), "a");
  writeFileSync(join(dir, "@scoped.js"), "at");
  writeFileSync(join(dir, ".env"), "SECRET=1");
  mkdirSync(join(dir, ".git"));
  writeFileSync(join(dir, ".git/config"), "[core]");
  mkdirSync(join(dir, "node_modules/dep"), { recursive: true });
  writeFileSync(join(dir, "node_modules/dep/index.js"), "dep");
  symlinkSync("/etc/hostname", join(dir, "outside"));
  return dir;
}

async function entryNames(bytes: Buffer): Promise<string[]> {
  const names: string[] = [];
  const parser = list({ onReadEntry: (entry) => names.push(entry.path) });
  // minizlib inflates synchronously, so "end" may fire inside end(): listen first.
  const ended = new Promise((r) => parser.on("end", r));
  parser.end(bytes);
  await ended;
  return names;
}

describe("packFolder", () => {
  it("ships sorted regular files only, leaving out dotfiles, node_modules and symlinks", async () => {
    const packed = await packFolder(pluginFolder());
    expect(packed.files).toEqual(["@scoped.js", "plaza.json", "src/a.js", "src/lib/b.js"]);
    expect(packed.skippedLinks).toEqual(["outside"]);
    expect(await entryNames(packed.bytes)).toEqual(packed.files);
    expect(packed.size).toBe(packed.bytes.length);
  });

  it("gives the same SHA-256 for the same contents, whatever the timestamps or the folder", async () => {
    const first = pluginFolder();
    const second = pluginFolder();
    utimesSync(join(second, "src/a.js"), new Date("2031-05-05"), new Date("2031-05-05"));
    const [a, b] = [await packFolder(first), await packFolder(second)];
    expect(a.sha256).toMatch(/^[a-f0-9]{64}$/);
    expect(b.sha256).toBe(a.sha256);
    writeFileSync(join(second, "src/a.js"), "changed");
    expect((await packFolder(second)).sha256).not.toBe(a.sha256);
  });
});

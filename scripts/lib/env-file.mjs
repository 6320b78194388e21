// Secrets for a `wrangler dev` we start, handed over in a private env file (`--env-file`) rather
// than `--var`, so they stay out of argv (and `ps`). Given an env file, wrangler also skips the
// repository's .dev.vars, so the server sees exactly these secrets and nothing a developer left there.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Writes `vars` as KEY=value lines into a fresh 0700 temp dir (file mode 0600).
 * @param {Record<string,string>} vars
 * @returns {{ path: string, remove: () => void }}
 */
export function writePrivateEnvFile(vars) {
  for (const [key, value] of Object.entries(vars)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) || /[\r\n']/.test(value)) throw new Error(`cannot write ${key} to an env file`);
  }
  const dir = mkdtempSync(join(tmpdir(), "plaza-env-"));
  const path = join(dir, "secrets.env");
  // Single quotes: dotenv keeps the value verbatim (no `#` comments, no `$` expansion).
  const lines = Object.entries(vars).map(([k, v]) => `${k}='${v}'`);
  writeFileSync(path, `${lines.join("\n")}\n`, { mode: 0o600 });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

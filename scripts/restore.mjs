#!/usr/bin/env node
// `npm run restore -- <export dir | YYYY-MM-DD> [--persist-to <dir>] [--from <state dir> | --remote]`:
// loads a D1 export (worker/src/backups: `backups/<day>/` in R2, or a downloaded copy of that folder)
// into a fresh local D1, then checks every table's row count and checksum against its manifest.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { downloadExport, readManifest, restoreExport } from "./lib/backups/restore.mjs";
import { ROOT } from "./lib/processes.mjs";

/** npm start's state (scripts/seed.mjs), where its local R2 keeps the exports. */
const DEFAULT_PERSIST_DIR = join(ROOT, ".wrangler/state");
const USAGE = `usage: npm run restore -- <export dir | YYYY-MM-DD> [--persist-to <dir>] [--from <state dir> | --remote [--env <env>]]

  <export dir>        a folder holding manifest.json and its chunks (a copy of R2's backups/<day>/)
  <YYYY-MM-DD>        that day's export in R2: the local bucket under --from (default ${DEFAULT_PERSIST_DIR}),
                      or with --remote the deployed bucket (wrangler must be logged in) of
                      wrangler.toml's --env (staging, production; default: its top level)
  --persist-to <dir>  where the restored local D1 goes; must hold no D1 yet
                      (default .wrangler/restore/<the export's day>); open it with wrangler dev --persist-to <dir>`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    "persist-to": { type: "string" },
    from: { type: "string" },
    remote: { type: "boolean", default: false },
    env: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help || positionals.length !== 1) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}
const [source] = positionals;
const log = (line) => console.log(`[restore] ${line}`);

let dir = resolve(source);
let downloaded;
try {
  if (!existsSync(dir)) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(source)) throw new Error(`${source} is neither a directory nor a day (YYYY-MM-DD)`);
    downloaded = mkdtempSync(join(tmpdir(), "plaza-export-"));
    log(`fetching backups/${source}/ from the ${values.remote ? "deployed" : `local (${values.from ?? DEFAULT_PERSIST_DIR})`} bucket…`);
    dir = await downloadExport({
      day: source,
      into: downloaded,
      from: values.from ?? DEFAULT_PERSIST_DIR,
      remote: values.remote,
      env: values.env,
    });
  }
  const persistTo = resolve(values["persist-to"] ?? join(ROOT, ".wrangler/restore", readManifest(dir).day));
  const { manifest, tables, ok } = await restoreExport({ dir, persistTo, log });
  const width = Math.max(...tables.map((t) => t.name.length));
  for (const t of tables)
    console.log(
      `  ${t.name.padEnd(width)}  ${String(t.restored?.rows ?? "-").padStart(7)} rows  ${t.ok ? "ok  " : "DIFF"}  ${t.restored?.sha256.slice(0, 16) ?? "-"}${
        t.ok ? "" : ` (export: ${t.expected.rows} rows, ${t.expected.sha256.slice(0, 16)})`
      }`,
    );
  if (!ok) throw new Error(`${tables.filter((t) => !t.ok).length} tables differ from the export's manifest`);
  log(
    `restored the export of ${new Date(manifest.createdAt).toISOString()} (${manifest.exportId}) into ${persistTo}: every table matches its manifest`,
  );
} catch (err) {
  console.error(`[restore] ${err.message ?? err}`);
  process.exitCode = 1;
} finally {
  if (downloaded) rmSync(downloaded, { recursive: true, force: true });
}

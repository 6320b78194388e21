// Demo data for local development: `node scripts/seed.mjs [persistDir]` (Node 22.18+).
// Idempotent: every statement is `INSERT … ON CONFLICT DO NOTHING`, and rows that point at other
// rows look them up by natural key (e-mail, slug), so re-running never duplicates or orphans rows.
// To seed more (catalog items, versions…), add a section function and list it in SECTIONS.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ID_PREFIX } from "../shared/ids.ts";
// The Worker's own hashing, so seeded passwords verify exactly like signed-up ones.
import { hashPassword } from "../worker/src/crypto/password.ts";
import { bin, ROOT, run } from "./lib/processes.mjs";
import { analyticsHistoryStatements } from "./seed-analytics.mjs";
import { DEMO_ITEMS, demoCatalog } from "./seed-catalog.mjs";
import { projectStatements } from "./seed-projects.mjs";

export const DEFAULT_PERSIST_DIR = join(ROOT, ".wrangler/state");
export const DEMO_PASSWORD = "plaza-demo-password";

export const DEMO_USERS = [
  { email: "operator@plaza.local", name: "Olive Operator", isOperator: true, role: "operator" },
  { email: "author@plaza.local", name: "Arthur Author", isOperator: false, role: "author (owner of Acme Plugins)" },
  { email: "buyer@plaza.local", name: "Bea Buyer", isOperator: false, role: "buyer" },
  // Two more buyers, so the demo items have reviews by several people (scripts/seed-studio.mjs).
  { email: "cleo@plaza.local", name: "Cleo Customer", isOperator: false, role: "buyer" },
  { email: "dev@plaza.local", name: "Dev Developer", isOperator: false, role: "buyer" },
];
export const DEMO_ORGS = [{ slug: "acme", name: "Acme Plugins", owner: "author@plaza.local" }];

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Same shape as the Worker's newId: prefix + 20 base62 chars (rejection sampling, no bias). */
function newId(kind) {
  let out = "";
  while (out.length < 20) {
    for (const byte of crypto.getRandomValues(new Uint8Array(40))) {
      if (byte < 248 && out.length < 20) out += BASE62[byte % 62];
    }
  }
  return `${ID_PREFIX[kind]}_${out}`;
}

/** SQL literal for a string, number, boolean or null. */
function sqlValue(value) {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number") return String(value);
  return `'${String(value).replaceAll("'", "''")}'`;
}

async function userStatements(now) {
  const statements = [];
  for (const user of DEMO_USERS) {
    const values = [newId("user"), user.email, user.name, await hashPassword(DEMO_PASSWORD), now, user.isOperator, now];
    statements.push(
      `INSERT INTO users (id, email, name, password_hash, email_verified_at, is_operator, created_at)
       VALUES (${values.map(sqlValue).join(", ")}) ON CONFLICT DO NOTHING;`,
    );
  }
  return statements;
}

function orgStatements(now) {
  return DEMO_ORGS.flatMap((org) => [
    `INSERT INTO orgs (id, slug, name, created_at)
     VALUES (${[newId("org"), org.slug, org.name, now].map(sqlValue).join(", ")}) ON CONFLICT DO NOTHING;`,
    `INSERT INTO memberships (org_id, user_id, role, created_at)
     SELECT orgs.id, users.id, 'owner', ${now} FROM orgs, users
     WHERE orgs.slug = ${sqlValue(org.slug)} AND users.email = ${sqlValue(org.owner)} ON CONFLICT DO NOTHING;`,
    // The owner lands in their org after login, as after creating it in the app.
    `UPDATE users SET active_org_id = (SELECT id FROM orgs WHERE slug = ${sqlValue(org.slug)})
     WHERE email = ${sqlValue(org.owner)} AND active_org_id IS NULL;`,
  ]);
}

/** Bundles of the demo versions, written to R2 by `seed()`. */
let pendingBundles = [];

async function catalogStatements(now) {
  const { statements, bundles } = await demoCatalog(now, { sqlValue, newId, orgSlug: "acme", authorEmail: "author@plaza.local" });
  pendingBundles = bundles;
  return statements;
}

/** Seed sections in dependency order; each returns SQL statements. */
const SECTIONS = [
  userStatements,
  orgStatements,
  catalogStatements,
  (now) => projectStatements(now, { sqlValue, newId }),
  // 90 days of sales, views and downloads of the demo items (after them: rows name their item by slug).
  (now) => analyticsHistoryStatements(now, { sqlValue, items: DEMO_ITEMS }),
];

export { DEMO_ITEMS };

export async function seedSql(now = Date.now()) {
  const statements = [];
  for (const section of SECTIONS) statements.push(...(await section(now)));
  return `${statements.join("\n")}\n`;
}

/** Writes the demo data into the local D1 under `persistTo` (migrations must be applied). */
export async function seed({ persistTo = DEFAULT_PERSIST_DIR } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "plaza-seed-"));
  const file = join(dir, "seed.sql");
  try {
    writeFileSync(file, await seedSql());
    const env = { CI: "1", WRANGLER_SEND_METRICS: "false" };
    await run(bin.wrangler, ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--file", file], { env });
    // Content-addressed keys: writing the same bundle again is harmless.
    for (const [index, bundle] of pendingBundles.entries()) {
      const path = join(dir, `bundle-${index}.tar.gz`);
      writeFileSync(path, bundle.bytes);
      await run(
        bin.wrangler,
        [
          "r2",
          "object",
          "put",
          `plaza-bundles/${bundle.key}`,
          "--local",
          "--persist-to",
          persistTo,
          "--file",
          path,
          "--content-type",
          "application/gzip",
        ],
        { env },
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const persistTo = resolve(process.argv[2] ?? process.env.PLAZA_STATE_DIR ?? DEFAULT_PERSIST_DIR);
  await seed({ persistTo });
  console.log(`Seeded demo data into ${persistTo}; every demo login uses the password "${DEMO_PASSWORD}"`);
}

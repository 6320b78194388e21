// Demo catalog for `npm start`: a few items of Acme Plugins, each with real bundles packed the way
// `plaza publish` packs them and stored content-addressed in the local R2 bucket.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { packFolder } from "./cli/pack.mjs";

export const DEMO_ITEMS = [
  {
    slug: "markdown-studio",
    /** Its icon's and screenshots' colour (scripts/seed-images.mjs). */
    accent: "#2563eb",
    name: "Markdown Studio",
    summary: "Write, preview and export Markdown without leaving your project.",
    description:
      "## Features\n\n- Live preview side by side\n- Tables, task lists and footnotes\n- Export to HTML or PDF\n\nWorks offline; nothing leaves your machine.",
    category: "editor",
    tags: ["markdown", "editor", "preview"],
    pricing: { model: "free" },
    downloads: 1840,
    versions: [
      { version: "1.1.0", channel: "stable", engine: "^1.0.0", changelog: "Tables and task lists." },
      { version: "1.2.0", channel: "stable", engine: "^1.0.0", changelog: "Export to PDF." },
      { version: "1.3.0-beta.1", channel: "beta", engine: "^1.2.0", changelog: "Footnotes (beta)." },
    ],
  },
  {
    slug: "ai-autocomplete",
    accent: "#7c3aed",
    name: "AI Autocomplete",
    summary: "Inline suggestions from the model of your choice.",
    description: "Bring your own API key. Suggestions appear as you type; **Tab** accepts.",
    category: "ai",
    tags: ["ai", "autocomplete"],
    pricing: { model: "one_time", amount: 1900, currency: "usd" },
    downloads: 950,
    versions: [{ version: "2.0.0", channel: "stable", engine: "^1.0.0", changelog: "New suggestion engine." }],
  },
  {
    slug: "team-analytics",
    accent: "#059669",
    name: "Team Analytics",
    summary: "See who edits what, and when, across your projects.",
    description: "Dashboards for edit activity per project and per teammate, refreshed live.",
    category: "analytics",
    tags: ["analytics", "teams"],
    pricing: { model: "subscription", amount: 900, currency: "usd", interval: "month" },
    downloads: 310,
    versions: [{ version: "1.0.0", channel: "stable", engine: "^1.0.0", changelog: "First release." }],
  },
  {
    slug: "midnight-theme",
    accent: "#1e3a8a",
    name: "Midnight Theme",
    summary: "A calm dark theme with high-contrast syntax colours.",
    description: "Tuned for long sessions: WCAG AA contrast for every token colour.",
    category: "themes",
    tags: ["theme", "dark"],
    pricing: { model: "free" },
    downloads: 4200,
    versions: [{ version: "1.0.0", channel: "stable", engine: ">=1.0.0", changelog: "First release." }],
  },
];

/** Packs one demo plugin folder (a manifest and an entry module) the way the CLI does. */
async function packDemoBundle(item, version) {
  const dir = mkdtempSync(join(tmpdir(), "plaza-demo-bundle-"));
  try {
    const manifest = {
      name: item.slug,
      version: version.version,
      entry: "dist/index.js",
      permissions: ["storage"],
      engines: { plaza: version.engine },
      dependencies: {},
    };
    const files = {
      "plaza.json": JSON.stringify(manifest, null, 2),
      "dist/index.js": `export function activate(plaza) {\n  plaza.log(${JSON.stringify(`${item.name} ${version.version} ready`)});\n}\n`,
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return { manifest, ...(await packFolder(dir)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * SQL for the demo items and their versions, plus the bundles to put into R2. Rows refer to the
 * org, items and author by natural key (slug, e-mail), so re-running changes nothing.
 */
export async function demoCatalog(now, { sqlValue, newId, orgSlug, authorEmail }) {
  const statements = [];
  const bundles = [];
  for (const item of DEMO_ITEMS) {
    const stable = item.versions.filter((v) => v.channel === "stable").at(-1);
    statements.push(
      `INSERT INTO items (id, org_id, slug, name, summary, description, category, tags, pricing, is_free, status, screenshot_keys, downloads, latest_version, latest_engine_range, created_at, updated_at, published_at)
       SELECT ${[newId("item")].map(sqlValue)}, orgs.id, ${[item.slug, item.name, item.summary, item.description, item.category, item.tags.join(" "), JSON.stringify(item.pricing), item.pricing.model === "free", "published", "[]", item.downloads, stable.version, stable.engine, now, now, now].map(sqlValue).join(", ")}
       FROM orgs WHERE orgs.slug = ${sqlValue(orgSlug)} ON CONFLICT DO NOTHING;`,
      ...item.tags.map(
        (tag) =>
          `INSERT INTO item_tags (item_id, tag) SELECT id, ${sqlValue(tag)} FROM items WHERE slug = ${sqlValue(item.slug)} ON CONFLICT DO NOTHING;`,
      ),
    );
    for (const [index, version] of item.versions.entries()) {
      const bundle = await packDemoBundle(item, version);
      const key = `bundles/sha256/${bundle.sha256}`;
      bundles.push({ key, bytes: bundle.bytes });
      statements.push(
        `INSERT INTO versions (id, item_id, org_id, version, channel, changelog, manifest, engine_range, bundle_key, bundle_sha256, bundle_size, published_by, created_at)
         SELECT ${sqlValue(newId("version"))}, items.id, items.org_id, ${[version.version, version.channel, version.changelog, JSON.stringify(bundle.manifest), version.engine, key, bundle.sha256, bundle.size].map(sqlValue).join(", ")}, users.id, ${now - (item.versions.length - index) * 86_400_000}
         FROM items, users WHERE items.slug = ${sqlValue(item.slug)} AND users.email = ${sqlValue(authorEmail)} ON CONFLICT DO NOTHING;`,
      );
    }
  }
  return { statements, bundles };
}

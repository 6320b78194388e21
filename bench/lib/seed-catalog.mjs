// A realistic catalog for the search bench: one org and N published items whose text follows a
// Zipf-like word distribution (a few very common words, a long tail of rare ones), written as a
// SQL file of multi-row INSERTs and applied with `wrangler d1 execute --local`. The FTS triggers
// from migrations/0002_search.sql fill items_fts as the rows go in.
//
// Deterministic (fixed PRNG seed): every run seeds the same catalog, so the rows-read figures
// are comparable between runs.
import { writeFileSync } from "node:fs";
import { bin, run } from "../../scripts/lib/processes.mjs";
import { mulberry32 } from "./prng.mjs";
import { zipfSampler } from "./zipf.mjs";

const CATEGORIES = ["editor", "ai", "productivity", "integrations", "themes", "analytics", "developer-tools", "other"];
const CATEGORY_WEIGHTS = [20, 15, 18, 12, 14, 8, 10, 3];

/** Marketplace words, most common first: their rank sets their frequency. */
const DOMAIN_WORDS = `
  plugin editor theme code tool data file fast simple support workflow project team search text
  markdown preview format dark light color panel sync git api cloud export import chat assistant
  snippet language task notes table chart report dashboard query database server client build test
  debug deploy review comment template layout font icon keyboard shortcut command palette terminal
  python javascript typescript rust json yaml csv image video audio calendar email slack github
  jira notion figma spreadsheet analytics metrics monitor log alert schedule backup translate
  spell grammar lint refactor completion suggestion model prompt agent summary diagram graph
  mermaid latex math pdf print share collaborate realtime offline mobile secure encrypt password
  token webhook automation integration connector pipeline workspace folder tab window split zoom
  minimap outline bookmark history undo clipboard focus timer pomodoro habit journal wiki kanban
`
  .trim()
  .split(/\s+/);

/** Glue words: very frequent, in every description. */
const STOP_WORDS = "the a and for with your to of in on that is it this from by".split(" ");

const SYLLABLES = "ka lo mi ne ru sa ti vo ze qu bra cle dro fli gra pro stu tre vex zor lin mar pel dax".split(" ");

/** Long tail: invented but pronounceable words, each rare. */
function rareWords(random, count) {
  const words = new Set();
  while (words.size < count) {
    const n = 2 + Math.floor(random() * 3);
    let w = "";
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    if (!DOMAIN_WORDS.includes(w)) words.add(w);
  }
  return [...words];
}

function weighted(random, values, weights) {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = random() * total;
  for (let i = 0; i < values.length; i++) {
    x -= weights[i];
    if (x < 0) return values[i];
  }
  return values.at(-1);
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const base62 = (random, n) => Array.from({ length: n }, () => BASE62[Math.floor(random() * 62)]).join("");
const sqlString = (s) => `'${String(s).replaceAll("'", "''")}'`;
const capitalize = (w) => w[0].toUpperCase() + w.slice(1);

/**
 * Builds the catalog in memory.
 * @returns {{ org: object, items: object[], docFrequency: Map<string, number> }}
 */
export function generateCatalog({ count = 10_000, seed = 20261123 } = {}) {
  const random = mulberry32(seed);
  // Vocabulary: the domain words first (ranks 0…~190), then 30,000 rare words. With ~70 words
  // per item, rank 0 lands in ~30% of items, rank 100 in ~8%, rank 1,000 in ~1%, the tail in 1–10.
  const vocabulary = [...DOMAIN_WORDS, ...rareWords(random, 30_000)];
  // q = 30 flattens the head, so the commonest word is in about a third of the items, not all of them.
  const pickWord = zipfSampler(random, vocabulary.length, { q: 30 });
  const word = () => vocabulary[pickWord()];
  const pickTag = zipfSampler(random, 60, { s: 1.1 });
  const tagVocabulary = DOMAIN_WORDS.slice(0, 60);

  const sentence = (min, max) => {
    const n = min + Math.floor(random() * (max - min + 1));
    const words = [];
    for (let i = 0; i < n; i++) words.push(random() < 0.3 ? STOP_WORDS[Math.floor(random() * STOP_WORDS.length)] : word());
    return `${capitalize(words.join(" "))}.`;
  };

  const now = Date.UTC(2026, 10, 1);
  const org = { id: `org_${base62(random, 20)}`, slug: "bench-catalog", name: "Bench Catalog", createdAt: now - 800 * 86_400_000 };
  const items = [];
  const docFrequency = new Map();
  const slugs = new Set();
  for (let i = 0; i < count; i++) {
    const nameWords = Array.from({ length: 2 + Math.floor(random() * 3) }, word);
    const name = nameWords.map(capitalize).join(" ");
    let slug = nameWords.join("-").slice(0, 40).replace(/-+$/, "");
    while (slugs.has(slug)) slug = `${slug.slice(0, 40)}-${base62(random, 4).toLowerCase()}`;
    slugs.add(slug);
    const summary = sentence(6, 18).slice(0, 200);
    const description = Array.from({ length: 2 + Math.floor(random() * 6) }, () => sentence(8, 20)).join(" ");
    const tags = [...new Set(Array.from({ length: 1 + Math.floor(random() * 5) }, () => tagVocabulary[pickTag()]))];
    const paid = random() < 0.25;
    const pricing = paid ? { model: "one_time", amount: 500 + 100 * Math.floor(random() * 50), currency: "usd" } : { model: "free" };
    const reviewCount = random() < 0.4 ? 0 : Math.floor(Math.exp(random() * 6));
    const createdAt = now - Math.floor(random() * 700 * 86_400_000);
    const major = Math.floor(random() * 3);
    items.push({
      id: `itm_${base62(random, 20)}`,
      slug,
      name,
      summary,
      description,
      category: weighted(random, CATEGORIES, CATEGORY_WEIGHTS),
      tags,
      pricing,
      isFree: !paid,
      reviewCount,
      ratingSum: Math.round(reviewCount * (2.5 + random() * 2.5)),
      // Heavy-tailed: most items have a few hundred downloads, a few have hundreds of thousands.
      downloads: Math.floor(Math.exp(random() * 13)),
      latestVersion: `${major}.${Math.floor(random() * 10)}.${Math.floor(random() * 20)}`,
      latestEngineRange: random() < 0.7 ? "^1.0.0" : ">=1.4.0 <3.0.0",
      createdAt,
      updatedAt: createdAt + Math.floor(random() * 30 * 86_400_000),
      publishedAt: createdAt + 3_600_000,
    });
    const terms = new Set(`${name} ${summary} ${description} ${tags.join(" ")}`.toLowerCase().match(/[a-z0-9]+/g));
    for (const t of terms) docFrequency.set(t, (docFrequency.get(t) ?? 0) + 1);
  }
  return { org, items, docFrequency };
}

/** The catalog as SQL: multi-row INSERT literals (no bound parameters), `rowsPerInsert` at a time. */
export function catalogSql({ org, items }, { rowsPerInsert = 50 } = {}) {
  const out = [
    `INSERT INTO orgs (id, slug, name, created_at) VALUES (${sqlString(org.id)}, ${sqlString(org.slug)}, ${sqlString(org.name)}, ${org.createdAt});`,
  ];
  const itemColumns =
    "org_id, id, slug, name, summary, description, category, tags, pricing, is_free, status, screenshot_keys, review_count, rating_sum, downloads, latest_version, latest_engine_range, created_at, updated_at, published_at";
  for (let i = 0; i < items.length; i += rowsPerInsert) {
    const chunk = items.slice(i, i + rowsPerInsert);
    const rows = chunk.map((it) =>
      [
        sqlString(org.id),
        sqlString(it.id),
        sqlString(it.slug),
        sqlString(it.name),
        sqlString(it.summary),
        sqlString(it.description),
        sqlString(it.category),
        sqlString(it.tags.join(" ")),
        sqlString(JSON.stringify(it.pricing)),
        it.isFree ? 1 : 0,
        "'published'",
        "'[]'",
        it.reviewCount,
        it.ratingSum,
        it.downloads,
        sqlString(it.latestVersion),
        sqlString(it.latestEngineRange),
        it.createdAt,
        it.updatedAt,
        it.publishedAt,
      ].join(", "),
    );
    out.push(`INSERT INTO items (${itemColumns}) VALUES\n(${rows.join("),\n(")});`);
    const tagRows = chunk.flatMap((it) => it.tags.map((tag) => `(${sqlString(it.id)}, ${sqlString(tag)})`));
    out.push(`INSERT INTO item_tags (item_id, tag) VALUES ${tagRows.join(", ")};`);
  }
  return `${out.join("\n")}\n`;
}

/** Applies a SQL file to the local D1 that `wrangler dev --persist-to persistTo` uses. */
export async function applySqlFile(persistTo, file) {
  await run(bin.wrangler, ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--file", file, "--yes"], {
    env: { CI: "1", WRANGLER_SEND_METRICS: "false" },
  });
}

/** Generates the catalog, writes it to `file` and applies it. */
export async function seedCatalog(persistTo, file, options) {
  const catalog = generateCatalog(options);
  writeFileSync(file, catalogSql(catalog));
  await applySqlFile(persistTo, file);
  return catalog;
}

// Signed downloads and the License API, each against a baseline in the same Worker:
// - GET /download/:token of a 1 MB bundle (token check, link + entitlement lookup, the guarded
//   insert that spends a use, the R2 stream) against GET /__bench/r2/<key>, a bare BUCKET.get of
//   the same object streamed back;
// - POST /v1/licenses/validate with a real key (bought through the Stripe emulator) against
//   GET /__bench/bare, plus one run with unknown keys (the uniform not_found answer).
// Everything is set up through the real API: an author publishes the items (version upload), a
// buyer gets the free one and mints links, pays for the other on the emulator's hosted checkout.
import { randomBytes } from "node:crypto";
import { eventually } from "../scripts/lib/eventually.ts";
import { compareAlternating } from "./lib/compare.mjs";
import { LOAD_SETTINGS, measureThroughput } from "./lib/load.mjs";
import { bundleKey, buyItem, onboardSeller, publishItem, sha256Hex } from "./lib/marketplace.mjs";
import { assertBareRouteServedByWorker, call, createSignedInUser, createSignedInUserWithOrg } from "./lib/plaza-api.mjs";
import { fmt, ratioAgainstGoal, THROUGHPUT_HEADER, table, throughputRow } from "./lib/print.mjs";

export const description =
  "1 MB GET /download/:token vs bare R2 get streamed (req/s ratio, goal ≥ 0.8); POST /v1/licenses/validate (real key, unknown keys) vs bare";

const DOWNLOAD_GOAL = 0.8;
const ROUNDS = 2;
const BUNDLE_BYTES = 1024 * 1024;
/** Links minted for the load; every connection cycles through them (all the same buyer and item). */
const LINKS = 10;
const LINK_TTL_SECONDS = 3600;
/** Distinct unknown keys the not_found run rotates through (each its own rate-limit counter). */
const UNKNOWN_KEYS = 64;
const shortId = () => randomBytes(4).toString("hex");

/** GETs `path` and checks status, length and SHA-256 of what came back against the bundle's. */
async function assertServesBundle(url, path, sha256, size) {
  const res = await fetch(`${url}${path}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200)
    throw new Error(`GET ${path.replace(/\/download\/.+/, "/download/<token>")} → ${res.status}: ${bytes.toString("utf8", 0, 300)}`);
  const got = sha256Hex(bytes);
  if (bytes.length !== size || got !== sha256) {
    throw new Error(`GET ${path.slice(0, 40)}… sent ${bytes.length} bytes with SHA-256 ${got}, not the uploaded ${size} bytes ${sha256}`);
  }
  return res.headers;
}

/** The author's org onboards on the emulator's hosted Connect page; the buyer pays for `item` and gets its key. */
async function buyLicenseKey(url, stripeEmulator, author, buyer, item) {
  const emulator = await stripeEmulator();
  await onboardSeller(url, author);
  return (await buyItem(url, emulator.url, buyer, item)).licenseKey;
}

/** Crockford's base32, as LICENSE_KEY_ALPHABET in shared/licenses.ts (which Node cannot import: extensionless imports). */
const LICENSE_KEY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A well-formed key with the real key's prefix that was never issued (60 random bits). */
function unknownKey(prefix) {
  const chars = Array.from(randomBytes(12), (b) => LICENSE_KEY_ALPHABET[b & 31]).join("");
  return `${prefix}-${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

/** An autocannon endpoint POSTing validate bodies in rotation, counting the codes answered. */
function validateEndpoint(url, bodies) {
  const codes = {};
  return {
    codes,
    endpoint: {
      url: `${url}/v1/licenses/validate`,
      requests: bodies.map((body) => ({
        method: "POST",
        path: "/v1/licenses/validate",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        onResponse: (status, resBody) => {
          const code = status === 200 ? (/"code":"([a-z_]+)"/.exec(resBody)?.[1] ?? "unparsed") : `http_${status}`;
          codes[code] = (codes[code] ?? 0) + 1;
        },
      })),
    },
  };
}

async function validateOnce(url, body) {
  return call(url, "POST", "/v1/licenses/validate", { body });
}

const mbps = (rps) => `${((rps * BUNDLE_BYTES) / 1e6).toFixed(0)} MB/s`;
const codeList = (codes) =>
  Object.entries(codes)
    .map(([code, n]) => `${code} ${n.toLocaleString("en-US")}`)
    .join(", ");

/** @param {{ worker: () => Promise<{ url: string, stripeEmulator?: () => Promise<{ url: string }> }>, log: (line?: string) => void }} ctx */
export async function run({ worker, log }) {
  const { url, stripeEmulator } = await worker();
  await assertBareRouteServedByWorker(url);
  if (!stripeEmulator) throw new Error("the bench worker has no stripeEmulator() (bench/lib/worker.mjs starts it on demand)");
  // Its wrangler dev starts while the items are published; it is idle during the load.
  const emulatorStarting = stripeEmulator();
  emulatorStarting.catch(() => {});

  const setupStarted = Date.now();
  const [author, buyer] = await Promise.all([createSignedInUserWithOrg(url), createSignedInUser(url)]);
  const bundle = randomBytes(BUNDLE_BYTES);
  const [freeItem, paidItem] = await Promise.all([
    publishItem(url, author, { slug: `bench-dl-${shortId()}`, pricing: { model: "free" }, bundle }),
    publishItem(url, author, {
      slug: `bench-lic-${shortId()}`,
      pricing: { model: "one_time", amount: 1900, currency: "usd" },
      bundle: randomBytes(4096),
    }),
  ]);

  // Downloads: the buyer gets the free item and mints the links the load cycles through.
  await call(url, "POST", `/v1/items/${freeItem.slug}/get`, { token: buyer.accessToken });
  const links = [];
  for (let i = 0; i < LINKS; i++) {
    links.push(
      await call(url, "POST", "/v1/me/downloads", {
        token: buyer.accessToken,
        body: { item: freeItem.slug, ttlSeconds: LINK_TTL_SECONDS },
      }),
    );
  }
  if (links[0].maxUses < 1_000_000)
    throw new Error(`links allow ${links[0].maxUses} uses: DOWNLOAD_MAX_USES was not raised for the bench (bench/lib/worker.mjs)`);
  const linkPaths = links.map((l) => new URL(l.url).pathname);
  const r2Path = `/__bench/r2/${bundleKey(freeItem.sha256)}`;
  const headers = await assertServesBundle(url, linkPaths[0], freeItem.sha256, BUNDLE_BYTES);
  await assertServesBundle(url, r2Path, freeItem.sha256, BUNDLE_BYTES);

  // Licenses: the buyer pays for the other item on the emulator.
  const licenseKey = await buyLicenseKey(url, () => emulatorStarting, author, buyer, paidItem);
  const prefix = licenseKey.slice(0, 4);
  const validBody = { key: licenseKey, item: paidItem.slug };
  const unknownBodies = Array.from({ length: UNKNOWN_KEYS }, () => ({ key: unknownKey(prefix), item: paidItem.slug }));
  const checked = await validateOnce(url, validBody);
  if (!checked.valid) throw new Error(`the bought key does not validate: ${JSON.stringify(checked)}`);
  const unknownChecked = await validateOnce(url, unknownBodies[0]);
  if (unknownChecked.code !== "not_found" || "license" in unknownChecked)
    throw new Error(`an unknown key answered ${JSON.stringify(unknownChecked)}, not a bare not_found`);
  // The purchase's other webhooks (payment intent, charge, …) may still be arriving: let the Stripe
  // event consumer finish them before the load, so that work does not land in the first run.
  await eventually(
    "the Stripe event consumer to finish the purchase's events",
    async () => !(await call(url, "GET", "/__bench/stripe-events")).received,
    {
      timeoutMs: 30_000,
      intervalMs: 250,
    },
  );
  const setupS = (Date.now() - setupStarted) / 1000;

  const { durationS, warmupS, connections } = LOAD_SETTINGS;
  log(
    `setup ${setupS.toFixed(1)} s: 1 MB random bundle published through the upload API, SHA-256 of /download and /__bench/r2 checked (${headers.get("content-type")}, ${headers.get("content-length")} bytes); ` +
      `license key bought on the Stripe emulator`,
  );
  log(`${ROUNDS} rounds of each, alternating; each ${warmupS} s warm-up + ${durationS} s, ${connections} connections`);

  // 1. Signed downloads.
  const dlNames = { baseline: "GET /__bench/r2/<key>", target: `GET /download/<token> (${LINKS} links)` };
  const downloads = await compareAlternating({
    baseline: { url: `${url}${r2Path}` },
    target: { url, requests: linkPaths.map((path) => ({ method: "GET", path })) },
    rounds: ROUNDS,
    onRun: (label, r) =>
      log(
        `  ${dlNames[label].padEnd(34)} ${fmt.rps(r.requestsPerSec).padStart(12)}  ${mbps(r.requestsPerSec).padStart(9)}  p50 ${fmt.ms(r.p50Ms)}  p99 ${fmt.ms(r.p99Ms)}`,
      ),
  });
  log();
  log(
    table(
      [...THROUGHPUT_HEADER, "bytes"],
      [
        [...throughputRow("baseline: bare R2 get, streamed (mean)", downloads.baseline), mbps(downloads.baseline.requestsPerSec)],
        [...throughputRow("target:   signed download (mean)", downloads.target), mbps(downloads.target.requestsPerSec)],
      ],
    ),
  );
  log(`ratio download ÷ bare R2: ${ratioAgainstGoal(downloads.ratio, DOWNLOAD_GOAL)}`);
  const downloadRuns = downloads.target.runs.map((r) => fmt.rps(r.requestsPerSec)).join(" → ");
  log(`(download runs in order: ${downloadRuns}; every one adds a downloads row the daily-limit count reads)`);
  log();

  // 2. License validations.
  const valid = validateEndpoint(url, [validBody]);
  const unknown = validateEndpoint(url, unknownBodies);
  const licNames = { baseline: "GET /__bench/bare", target: "POST /v1/licenses/validate" };
  const licenses = await compareAlternating({
    baseline: { url: `${url}/__bench/bare` },
    target: valid.endpoint,
    rounds: ROUNDS,
    onRun: (label, r) =>
      log(`  ${licNames[label].padEnd(34)} ${fmt.rps(r.requestsPerSec).padStart(12)}  p50 ${fmt.ms(r.p50Ms)}  p99 ${fmt.ms(r.p99Ms)}`),
  });
  // One shorter run: only to see that a miss costs about what a hit does.
  const unknownRun = await measureThroughput({ ...unknown.endpoint, durationS: Math.max(3, Math.ceil(durationS / 2)) });
  log(
    `  ${"  … unknown keys (not_found)".padEnd(34)} ${fmt.rps(unknownRun.requestsPerSec).padStart(12)}  p50 ${fmt.ms(unknownRun.p50Ms)}  p99 ${fmt.ms(unknownRun.p99Ms)}`,
  );
  const bareRps = licenses.baseline.requestsPerSec;
  const unknownRatio = unknownRun.requestsPerSec / bareRps;
  log();
  log(
    table(THROUGHPUT_HEADER, [
      throughputRow("baseline: GET /__bench/bare (mean)", licenses.baseline),
      throughputRow("target:   validate, real key (mean)", licenses.target),
      throughputRow(`validate, ${UNKNOWN_KEYS} unknown keys (1 short run)`, unknownRun),
    ]),
  );
  log(`ratio validate ÷ bare: ${fmt.ratio(licenses.ratio)} (real key), ${fmt.ratio(unknownRatio)} (unknown keys); no goal set`);
  log(`answers: real key ${codeList(valid.codes)}; unknown keys ${codeList(unknown.codes)}`);
  const wrong =
    Object.keys(valid.codes).filter((c) => c !== "valid").length + Object.keys(unknown.codes).filter((c) => c !== "not_found").length;
  if (wrong)
    throw new Error(
      `validate answered other codes than expected under load: real key ${codeList(valid.codes)}; unknown keys ${codeList(unknown.codes)}`,
    );

  return {
    metrics: [
      {
        name: "bare R2 get req/s (1 MB)",
        value: downloads.baseline.requestsPerSec,
        display: `${fmt.rps(downloads.baseline.requestsPerSec)} (${mbps(downloads.baseline.requestsPerSec)})`,
      },
      {
        name: "signed download req/s (1 MB)",
        value: downloads.target.requestsPerSec,
        display: `${fmt.rps(downloads.target.requestsPerSec)} (${mbps(downloads.target.requestsPerSec)})`,
      },
      {
        name: "signed download p50 / p99",
        value: downloads.target.p50Ms,
        display: `${fmt.ms(downloads.target.p50Ms)} / ${fmt.ms(downloads.target.p99Ms)}`,
      },
      { name: "ratio download ÷ bare R2", value: downloads.ratio, display: ratioAgainstGoal(downloads.ratio, DOWNLOAD_GOAL) },
      { name: "bare req/s", value: bareRps, display: fmt.rps(bareRps) },
      { name: "validate req/s (real key)", value: licenses.target.requestsPerSec, display: fmt.rps(licenses.target.requestsPerSec) },
      { name: "validate req/s (unknown keys)", value: unknownRun.requestsPerSec, display: fmt.rps(unknownRun.requestsPerSec) },
      {
        name: "ratio validate ÷ bare",
        value: licenses.ratio,
        display: `${fmt.ratio(licenses.ratio)} real key, ${fmt.ratio(unknownRatio)} unknown keys`,
      },
    ],
    details: {
      settings: { ...LOAD_SETTINGS, rounds: ROUNDS, bundleBytes: BUNDLE_BYTES, links: LINKS, unknownKeys: UNKNOWN_KEYS },
      setupS,
      downloads,
      licenses: { ...licenses, unknown: unknownRun, unknownRatio, codes: { valid: valid.codes, unknown: unknown.codes } },
    },
  };
}

#!/usr/bin/env node
// `npm run smoke -- <base-url> [--purchase]`: after a deploy, checks a live Plaza from the outside.
// Read-only by default; `--purchase` (test mode only) also buys a paid item as a fresh guest.
// One line per check (✓ passed, ✗ failed, – skipped); exit code 1 if any check failed.
import { parseArgs } from "node:util";
import { checkRunner, ensure, Failed, formatResult } from "./lib/smoke/checks.mjs";
import { short, smokeHttp } from "./lib/smoke/http.mjs";
import { purchaseChecks } from "./lib/smoke/purchase.mjs";
import { roomEndpoint, syncWithRoom } from "./lib/smoke/room.mjs";

const USAGE = `Usage: npm run smoke -- <base-url> [options]

Checks a running Plaza: /healthz, /openapi.json, search, the storefront's home and an item page,
the Stripe webhook refusing an unsigned request, and (logged in) a live Y.js sync with a project's room.

Options:
  --email <e-mail>       the smoke user (or PLAZA_SMOKE_EMAIL); must be able to read a project
  --password <password>  their password (or PLAZA_SMOKE_PASSWORD)
  --rooms-url <url>      the rooms server, instead of the host the Worker puts in room tokens (its ROOMS_URL)
  --purchase             test mode only: a fresh guest buys a one-time item, then order, license key,
                         receipt and download are checked (refused in live mode)
  --item <slug>          the item --purchase buys (default: the first one-time paid item in search)
  --buyer-email <e-mail> the guest's e-mail (default: smoke-<time>-<random>@example.com)
  --country <CC>         the billing country on the hosted page when tax is on (default: US)
  --timeout <ms>         how long each request or wait may take (default: 60000)
  --json                 print the results as JSON instead of lines
  -h, --help             this text`;

function parse() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      email: { type: "string" },
      password: { type: "string" },
      "rooms-url": { type: "string" },
      purchase: { type: "boolean", default: false },
      item: { type: "string" },
      "buyer-email": { type: "string" },
      country: { type: "string", default: "US" },
      timeout: { type: "string", default: "60000" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const [base] = positionals;
  if (!base || positionals.length > 1) usageError("give exactly one base URL, e.g. https://plaza.example.com");
  let baseUrl;
  try {
    baseUrl = new URL(base).origin;
  } catch {
    usageError(`not a URL: ${base}`);
  }
  const timeoutMs = Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) usageError(`--timeout must be a whole number of milliseconds, not ${values.timeout}`);
  return {
    baseUrl,
    email: values.email ?? process.env.PLAZA_SMOKE_EMAIL,
    password: values.password ?? process.env.PLAZA_SMOKE_PASSWORD,
    roomsUrl: values["rooms-url"],
    purchase: values.purchase,
    item: values.item,
    buyerEmail: values["buyer-email"],
    country: values.country,
    timeoutMs,
    json: values.json,
  };
}

/** @returns {never} */
function usageError(message) {
  console.error(`smoke: ${message}\n\n${USAGE}`);
  process.exit(2);
}

const escapeHtml = (/** @type {string} */ s) =>
  s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch);

/** Whether `html` shows `text`, written as is or HTML-escaped (either way is valid markup). */
const showsText = (/** @type {string} */ html, /** @type {string} */ text) => html.includes(text) || html.includes(escapeHtml(text));

async function main() {
  const options = parse();
  const { baseUrl, timeoutMs } = options;
  const http = smokeHttp(baseUrl, { timeoutMs });
  const runner = checkRunner({ print: options.json ? undefined : (r) => console.log(formatResult(r)) });
  if (!options.json) console.log(`Smoke test of ${baseUrl}${options.purchase ? " (with a purchase)" : ""}`);

  await runner.run("health", async () => {
    const res = await http.expectStatus(200, "GET", "/healthz");
    ensure(res.json?.ok === true, `/healthz answered ${short(res.text)}`);
    return "/healthz is ok";
  });

  await runner.run("openapi", async () => {
    const res = await http.expectStatus(200, "GET", "/openapi.json");
    ensure(res.json, "/openapi.json is not JSON");
    ensure(/^3\.\d+\.\d+$/.test(String(res.json.openapi)), `/openapi.json says openapi ${res.json.openapi}, not 3.x`);
    const paths = Object.keys(res.json.paths ?? {});
    ensure(paths.includes("/v1/search"), "/openapi.json has no /v1/search");
    return `OpenAPI ${res.json.openapi}, ${paths.length} paths`;
  });

  const item = await runner.run("search", async () => {
    const all = await http.expectStatus(200, "GET", "/v1/search?limit=5");
    const first = all.json?.data?.[0];
    ensure(first, "search answers no items: is the catalog empty?");
    // A word of the first item's name must find it: the text index answers, not only the listing.
    const word = first.name.split(/\s+/).find((w) => w.length > 2) ?? first.name;
    const found = await http.expectStatus(200, "GET", `/v1/search?q=${encodeURIComponent(word)}&limit=20`);
    ensure(
      found.json.data.some((i) => i.slug === first.slug),
      `searching "${word}" does not find ${first.slug}`,
    );
    const count = all.json.data.length;
    return { detail: `${count}${count === 5 ? "+" : ""} items; "${word}" finds ${first.slug}`, value: first };
  });

  await runner.run("storefront: home", async () => {
    const res = await http.expectStatus(200, "GET", "/");
    ensure(res.headers.get("content-type")?.includes("text/html"), `/ is ${res.headers.get("content-type")}, not HTML`);
    ensure(/href="\/items\/[^"]+"/.test(res.text), "the home page links to no item");
    return `HTML, ${(res.text.match(/href="\/items\/[^"/]+"/g) ?? []).length} item links`;
  });

  if (item) {
    await runner.run("storefront: item page", async () => {
      const res = await http.expectStatus(200, "GET", `/items/${encodeURIComponent(item.slug)}`);
      ensure(res.headers.get("content-type")?.includes("text/html"), `the item page is ${res.headers.get("content-type")}, not HTML`);
      ensure(showsText(res.text, item.name), `/items/${item.slug} does not show "${item.name}"`);
      return `/items/${item.slug} shows "${item.name}"`;
    });
  } else runner.fail("storefront: item page", "needs an item from search (failed above)");

  await runner.run("stripe webhook: unsigned", async () => {
    const res = await http.request("POST", "/v1/stripe/webhooks", {
      json: { id: "evt_smoke_unsigned", object: "event", type: "checkout.session.completed", data: { object: {} } },
    });
    ensure(res.status >= 400 && res.status < 500, `an unsigned event answered ${res.status}, not 4xx: ${short(res.text)}`);
    const error = res.json?.error;
    ensure(
      typeof error?.code === "string" && typeof error?.message === "string" && typeof error?.requestId === "string",
      `the refusal is not the JSON error envelope: ${short(res.text)}`,
    );
    return `refused: ${res.status} ${error.code}`;
  });

  // The smoke user's session, made on first use (the room, and the free-item fallback of --purchase).
  let login;
  const session = () => {
    login ??= (async () => {
      if (!options.email || !options.password) return undefined;
      const res = await http.expectStatus(200, "POST", "/v1/auth/login", { json: { email: options.email, password: options.password } });
      return /** @type {string} */ (res.json.accessToken);
    })();
    return login;
  };

  await runner.run("room connection", async () => {
    if (!options.email || !options.password)
      throw new Failed("needs the smoke user: --email/--password or PLAZA_SMOKE_EMAIL/PLAZA_SMOKE_PASSWORD");
    const token = await session();
    const project = await firstReadableProject(http, token);
    const minted = await http.expectStatus(200, "POST", `/v1/orgs/${project.orgId}/projects/${project.id}/room-token`, { token });
    const { host, protocol } = roomEndpoint(minted.json.host, options.roomsUrl);
    const synced = await syncWithRoom({ host, protocol, roomId: minted.json.roomId, token: minted.json.token, timeoutMs });
    return `${project.id} synced (${synced.bytes} bytes, role ${minted.json.role}) over ${synced.url}`;
  });

  if (options.purchase)
    await purchaseChecks(runner, http, {
      timeoutMs,
      itemSlug: options.item,
      buyerEmail: options.buyerEmail,
      country: options.country,
      session,
    });

  // The session ends with the run (best effort: a failed logout fails nothing).
  const token = await login?.catch(() => undefined);
  if (token) await http.request("POST", "/v1/auth/logout", { token }).catch(() => undefined);

  const ok = runner.ok();
  if (options.json) console.log(JSON.stringify({ baseUrl, ok, checks: runner.results }, null, 2));
  else {
    const failed = runner.results.filter((r) => r.status === "fail").map((r) => r.name);
    console.log(ok ? `Smoke test passed (${runner.results.length} checks)` : `Smoke test FAILED: ${failed.join(", ")}`);
  }
  process.exit(ok ? 0 : 1);
}

/** The newest project in the first of the user's orgs that has one. */
async function firstReadableProject(http, token) {
  const me = await http.expectStatus(200, "GET", "/v1/me", { token });
  for (const org of me.json.orgs ?? []) {
    const projects = await http.request("GET", `/v1/orgs/${org.orgId}/projects?limit=1`, { token });
    const project = projects.status === 200 ? projects.json.projects?.[0] : undefined;
    if (project) return project;
  }
  throw new Failed(`${me.json.user?.email ?? "the smoke user"} can read no project: add them to an org with one`);
}

main().catch((err) => {
  console.error(`smoke: ${err?.stack ?? err}`);
  process.exit(1);
});

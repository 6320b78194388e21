// `npm start` end to end: the real script with its own state dir and ports, then Ctrl-C.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyticsT } from "../shared/analytics";
import type { AuthorItemT } from "../shared/catalog";
import type { OrgReviewT } from "../shared/reviews";
import type { Manifest } from "../worker/src/backups";
import type { TableShape, TableSum } from "../worker/src/backups/dump";
// @ts-expect-error: plain .mjs helpers without type declarations
import { downloadExport, localTableSums, readManifest } from "./lib/backups/restore.mjs";
import { eventually } from "./lib/eventually";
// @ts-expect-error: plain .mjs helpers without type declarations
import { stopTestFileProcesses, testFileProcesses } from "./lib/owned-processes.mjs";
import { expectStatus, plazaApi } from "./lib/plaza-api";
// @ts-expect-error: plain .mjs helpers without type declarations
import { bin, freePort, isPortFree, NODE22, ROOT, run } from "./lib/processes.mjs";
import { WAIT } from "./lib/wait-budgets.mjs";
// @ts-expect-error: plain .mjs helpers without type declarations
import { DEMO_PASSWORD } from "./seed.mjs";
// @ts-expect-error: plain .mjs helpers without type declarations
import { DEMO_ITEMS } from "./seed-catalog.mjs";
// @ts-expect-error: plain .mjs helpers without type declarations
import { DEMO_REVIEWS, seedStudio } from "./seed-studio.mjs";

/**
 * start.mjs builds web/, runs two wrangler CLI steps (migrations, seed), starts the API Worker
 * beside the Stripe emulator, onboards the demo author, then starts the rooms: each stage within
 * its own budget, so it exits with that stage's error long before this runs out.
 */
const READY_WITHIN_MS = WAIT.webBuild + 4 * WAIT.serverStart + WAIT.backgroundWork;
/** Its services stop side by side, each within WAIT.processStop of SIGTERM plus as long for its group to go. */
const SHUTDOWN_WITHIN_MS = 3 * WAIT.processStop;
const WEB_INDEX = join(ROOT, "web/dist/index.html");
/** What scripts/lib/backups/restore.mjs reads from a local D1. */
type LocalSums = { tables: TableShape[]; sums: Record<string, TableSum> };

describe("npm start", () => {
  const stateDir = mkdtempSync(join(tmpdir(), "plaza-start-test-"));
  let apiPort: number;
  let roomsPort: number;
  let stripePort: number;
  let baseUrl: string;
  let stripeUrl: string;
  let start: ChildProcess;
  let output = "";
  const running = () => start.exitCode === null && start.signalCode === null;
  const exitsWithin = (timeoutMs: number) =>
    eventually("npm start to exit", () => !running(), { timeoutMs }).then(
      () => true,
      () => false,
    );

  beforeAll(async () => {
    // start.mjs builds web/ itself; building first makes a broken web/ fail here, with vite's message.
    if (!existsSync(WEB_INDEX)) await run(bin.vite, ["build", "--config", join(ROOT, "web/vite.config.ts")]);
    apiPort = await freePort();
    roomsPort = await freePort();
    stripePort = await freePort();
    baseUrl = `http://127.0.0.1:${apiPort}`;
    stripeUrl = `http://127.0.0.1:${stripePort}`;
    start = spawn(NODE22, [join(ROOT, "scripts/start.mjs")], {
      cwd: ROOT,
      env: {
        ...process.env,
        PLAZA_STATE_DIR: stateDir,
        PORT: String(apiPort),
        ROOMS_PORT: String(roomsPort),
        STRIPE_PORT: String(stripePort),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    start.stdout!.on("data", (d) => (output += d));
    start.stderr!.on("data", (d) => (output += d));
    try {
      // "exited" ends the wait early: there is nothing left to wait for.
      const outcome = await eventually(
        "npm start to print ready",
        () => (!running() ? "exited" : output.includes("[plaza] ready at") && "ready"),
        { timeoutMs: READY_WITHIN_MS },
      );
      if (outcome === "exited") throw new Error(`start.mjs exited ${start.exitCode ?? start.signalCode} before ready`);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${output.slice(-6000)}`);
    }
  });

  afterAll(async () => {
    // Only when something failed before the Ctrl-C test: SIGTERM lets start.mjs stop its services.
    if (start && running()) {
      start.kill("SIGTERM");
      await exitsWithin(SHUTDOWN_WITHIN_MS);
    }
    // What it could not stop (it hung, or a service was still starting) goes too, freeing the
    // ports, before its state dir is removed.
    await stopTestFileProcesses();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("prints the URLs and the demo logins", () => {
    for (const path of ["/login", "/docs", "/openapi.json", "/dev/mailbox"]) expect(output).toContain(`${baseUrl}${path}`);
    expect(output).toContain("author@plaza.local");
    expect(output).toContain(DEMO_PASSWORD);
    expect(output).toMatch(new RegExp(`Stripe emulator\\s+${stripeUrl}`));
    expect(output).toContain(`${baseUrl}/items/ai-autocomplete`);
  });

  /** The demo org's studio as its owner sees it through the API: items, every review, orders. */
  async function studioAsAuthor() {
    const { api } = plazaApi(() => baseUrl);
    const login = await api<{ accessToken: string }>("POST", "/v1/auth/login", { email: "author@plaza.local", password: DEMO_PASSWORD });
    expectStatus(login, 200, "author login");
    const token = login.body.accessToken;
    const me = await api<{ orgs: { orgId: string; slug: string }[] }>("GET", "/v1/me", undefined, token);
    const orgId = me.body.orgs.find((o) => o.slug === "acme")!.orgId;
    const items = await api<{ data: AuthorItemT[] }>("GET", `/v1/orgs/${orgId}/studio/items`, undefined, token);
    expectStatus(items, 200, "studio items");
    const reviews = await Promise.all(
      items.body.data.map((item) => api<{ data: OrgReviewT[] }>("GET", `/v1/orgs/${orgId}/items/${item.id}/reviews`, undefined, token)),
    );
    const orders = await api<{ data: { createdAt: number }[] }>("GET", `/v1/orgs/${orgId}/orders?limit=100`, undefined, token);
    expectStatus(orders, 200, "orders");
    return { items: items.body.data, reviews: reviews.flatMap((r) => r.body.data), orders: orders.body.data };
  }

  it("seeds a studio worth looking at: items with icons and screenshots, reviews with replies, sales in the last 30 days", async () => {
    expect(output, output.slice(-8000)).toMatch(
      /\[plaza\] the studio of Acme Plugins: added 4 icons, 8 screenshots, 4 purchases, 6 reviews, 4 replies/,
    );
    const { items, reviews, orders } = await studioAsAuthor();
    expect(items.map((item) => item.slug).sort()).toEqual(DEMO_ITEMS.map((item: { slug: string }) => item.slug).sort());
    for (const item of items) {
      expect(item.iconUrl, item.slug).toMatch(/^\/media\/items\/.+\.png$/);
      expect(item.screenshotUrls.length, item.slug).toBe(2);
    }
    // The PNGs the seed drew went through the media pipeline (the seed waits for it): served as their WebP variants.
    for (const image of [items[0]!.icon!, ...items[0]!.screenshots]) {
      expect(image.state, image.url).toBe("ready");
      const served = await fetch(`${baseUrl}${image.variants[0]!.url}`);
      expect(served.headers.get("content-type"), image.url).toBe("image/webp");
      expect(
        Buffer.from(await served.arrayBuffer())
          .subarray(8, 12)
          .toString(),
        image.url,
      ).toBe("WEBP");
    }

    expect(reviews).toHaveLength(DEMO_REVIEWS.length);
    expect(new Set(reviews.map((r) => r.userName)).size).toBeGreaterThan(1);
    expect(reviews.filter((r) => r.reply).length).toBe(DEMO_REVIEWS.filter((r: { reply: string | null }) => r.reply).length);
    const rated = items.filter((item) => item.reviewCount > 0);
    expect(rated.length).toBeGreaterThan(1);

    const monthAgo = Date.now() - 30 * 86_400_000;
    expect(orders.filter((order) => order.createdAt > monthAgo).length).toBeGreaterThanOrEqual(4);
    expect(items.find((item) => item.slug === "ai-autocomplete")!.salesLast30Days).toBeGreaterThanOrEqual(2);
    expect(items.find((item) => item.slug === "team-analytics")!.salesLast30Days).toBeGreaterThanOrEqual(2);
  });

  it("seeds 90 days of history that the Analytics API shows: views, checkouts, sales, refunds, a dispute, subscriptions, downloads", async () => {
    expect(output, output.slice(-8000)).toMatch(/\[plaza\] analytics rebuilt from the demo history: \d+ daily rollups/);
    const { api } = plazaApi(() => baseUrl);
    const login = await api<{ accessToken: string }>("POST", "/v1/auth/login", { email: "author@plaza.local", password: DEMO_PASSWORD });
    const token = login.body.accessToken;
    const me = await api<{ orgs: { orgId: string; slug: string }[] }>("GET", "/v1/me", undefined, token);
    const orgId = me.body.orgs.find((o) => o.slug === "acme")!.orgId;
    const analytics = await api<AnalyticsT>("GET", `/v1/orgs/${orgId}/analytics?days=90`, undefined, token);
    expectStatus(analytics, 200, "analytics");
    const { series, totals } = analytics.body;
    expect(series).toHaveLength(90);
    for (const family of ["grossSales", "netSales", "fees", "refunds", "disputes", "newSubscriptions", "churnedSubscriptions"] as const)
      expect(totals[family], family).toBeGreaterThan(0);
    expect(totals.downloads).toBeGreaterThan(1000);
    expect(totals.checkoutsStarted).toBeGreaterThan(totals.checkoutsCompleted);
    expect(totals.checkoutsCompleted).toBeGreaterThan(0);
    expect(totals.mrr).toBeGreaterThan(0);
    expect(totals.activeLicenses).toBeGreaterThan(0);
    // Every day of the history, not a few: views on each (counted ones for the last 35 days, kept counts before), sales on most.
    expect(series.slice(0, -1).filter((day) => day.pageViews > 0)).toHaveLength(89);
    expect(series.filter((day) => day.grossSales > 0).length).toBeGreaterThan(60);
  });

  it("seeds the studio only once: a second run adds nothing", async () => {
    const before = await studioAsAuthor();
    const again = await seedStudio({
      apiUrl: baseUrl,
      password: DEMO_PASSWORD,
      authorEmail: "author@plaza.local",
      orgSlug: "acme",
      withPurchases: true,
    });
    expect(again).toEqual({ icons: 0, screenshots: 0, purchases: 0, reviews: 0, replies: 0 });
    const after = await studioAsAuthor();
    expect(after.items.map((item) => [item.slug, item.iconUrl, item.screenshotUrls])).toEqual(
      before.items.map((item) => [item.slug, item.iconUrl, item.screenshotUrls]),
    );
    expect(after.reviews).toEqual(before.reviews);
    expect(after.orders).toEqual(before.orders);
  });

  it("runs the Stripe emulator, and the demo author's org completed payout onboarding", async () => {
    const res = await fetch(`${stripeUrl}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ emulator: "stripe" });
    expect(output).toContain("[plaza] Acme Plugins completed payout onboarding (Stripe emulator)");
    expect(output).toContain("[plaza] ai-autocomplete has the coupon LAUNCH20 (20 % off)");
    expect(output).toContain("[plaza] klara@plaza.local (DE) bought ai-autocomplete with sales tax");
  });

  it("lets a guest check out a seeded paid item: the hosted page pays, the webhook makes the order", async () => {
    const checkout = await fetch(`${baseUrl}/v1/items/ai-autocomplete/checkout`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: `start-test-${Date.now()}@example.com` }),
    });
    const session = (await checkout.json()) as { checkoutId: string; url: string; amount: number; mode: string };
    expect(checkout.status, JSON.stringify(session)).toBe(201);
    expect(session).toMatchObject({ amount: 1900, mode: "payment" });
    expect(session.url).toMatch(new RegExp(`^${stripeUrl}/checkout/cs_test_`));

    // npm start collects sales tax, so the page asks for the billing country (a US buyer pays none).
    const paid = await fetch(`${session.url}/pay`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "country=US",
    });
    await paid.arrayBuffer();
    expect(paid.status).toBe(303);
    expect(paid.headers.get("location")).toBe(`${baseUrl}/checkout/success?checkout=${session.checkoutId}`);
    // The emulator signs the event to Plaza's webhook with the secret npm start gave both.
    const status = await eventually(
      "the order for the seeded item's checkout",
      async () => {
        const res = await fetch(`${baseUrl}/v1/checkouts/${session.checkoutId}`);
        const body = (await res.json()) as { status: string; orderId: string | null };
        return body.orderId ? body : undefined;
      },
      { intervalMs: 250 },
    );
    expect(status.status).toBe("complete");

    const subscription = await fetch(`${baseUrl}/v1/items/team-analytics/checkout`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: `start-test-sub-${Date.now()}@example.com` }),
    });
    expect(subscription.status).toBe(201);
    expect(await subscription.json()).toMatchObject({ mode: "subscription", amount: 900 });
  });

  it("serves the storefront with the seeded catalog at /", async () => {
    const res = await fetch(`${baseUrl}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Markdown Studio");
    const item = await fetch(`${baseUrl}/items/markdown-studio`);
    expect(await item.text()).toContain("1.2.0");
  });

  it("serves the web app's login page at /login", async () => {
    const res = await fetch(`${baseUrl}/login`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain('<div id="app"');
    // The built entry, not the source one: vite rewrote /src/main.ts to a hashed asset.
    const entry = /<script type="module"[^>]*src="([^"]+)"/.exec(html)?.[1];
    expect(entry).toMatch(/^\/assets\/.+\.js$/);
    const script = await fetch(`${baseUrl}${entry}`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("javascript");
  });

  it("answers /healthz", async () => {
    const res = await fetch(`${baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("lets the seeded author log in", async () => {
    const res = await fetch(`${baseUrl}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "author@plaza.local", password: DEMO_PASSWORD }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accessToken?: string };
    expect(body.accessToken).toEqual(expect.any(String));
  });

  it("serves the dev mailbox", async () => {
    const res = await fetch(`${baseUrl}/dev/mailbox`);
    expect(res.status).toBe(200);
  });

  it("passes `npm run smoke -- <url> --purchase` (every check ✓), and the smoke fails naming the room check when the rooms URL is wrong", async () => {
    /** scripts/smoke.mjs as a child process against `url`: its exit code and the check lines it printed. */
    const smoke = (url: string, args: string[]) =>
      new Promise<{ code: number | null; lines: string[]; output: string }>((resolve, reject) => {
        const child = spawn(NODE22, [join(ROOT, "scripts/smoke.mjs"), url, "--timeout", String(WAIT.backgroundWork), ...args], {
          cwd: ROOT,
          env: { ...process.env, PLAZA_SMOKE_EMAIL: "author@plaza.local", PLAZA_SMOKE_PASSWORD: DEMO_PASSWORD },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        child.stdout!.on("data", (d) => (out += d));
        child.stderr!.on("data", (d) => (out += d));
        child.on("error", reject);
        child.on("exit", (code) => resolve({ code, lines: out.split("\n").filter((l) => /^[✓✗–] /.test(l)), output: out }));
      });
    const checkName = (line: string) => /^. (.+?) {2,}/.exec(line)?.[1];

    const passed = await smoke(baseUrl, ["--purchase"]);
    expect(passed.code, passed.output).toBe(0);
    expect(passed.lines.map(checkName)).toEqual([
      "health",
      "openapi",
      "search",
      "storefront: home",
      "storefront: item page",
      "stripe webhook: unsigned",
      "room connection",
      "purchase: checkout",
      "purchase: pay",
      "purchase: order",
      "purchase: license key",
      "purchase: receipt",
      "purchase: download",
    ]);
    for (const line of passed.lines) expect(line, passed.output).toMatch(/^✓ /);
    expect(passed.output).toContain(`(Stripe emulator)`);

    // Nothing listens on a fresh free port: the room check must fail, and only it.
    const wrongRooms = await smoke(baseUrl, ["--rooms-url", `http://127.0.0.1:${await freePort()}`]);
    expect(wrongRooms.code, wrongRooms.output).toBe(1);
    expect(wrongRooms.lines.filter((l) => l.startsWith("✗ ")).map(checkName)).toEqual(["room connection"]);
    expect(wrongRooms.output).toContain("Smoke test FAILED: room connection");

    // Another server (the rooms') in place of the Worker fails from the first check on.
    const wrongBase = await smoke(`http://127.0.0.1:${roomsPort}`, []);
    expect(wrongBase.code, wrongBase.output).toBe(1);
    expect(wrongBase.output).toMatch(/^✗ health /m);
  });

  it("exports the demo data to R2 (operator's Run now of export-d1-backup), and npm run restore loads it into an empty D1 with every table's rows and checksum", async () => {
    const { api } = plazaApi(() => baseUrl);
    const login = await api<{ accessToken: string }>("POST", "/v1/auth/login", { email: "operator@plaza.local", password: DEMO_PASSWORD });
    expectStatus(login, 200, "operator login");
    const work = mkdtempSync(join(tmpdir(), "plaza-backup-test-"));
    try {
      // The export reads table after table while the server runs: an export during background work
      // (a queued page view, a mail) differs from the rows after it, so it is made again until none
      // happened meanwhile. The run's own job_runs row (running in the export, finished after) and
      // its audit row (written after) are left out on both sides.
      const exported = await eventually(
        "an export that matches the demo database it was made of",
        async () => {
          const run = await api<{ id: string; status: string; startedAt: number; error: string | null }>(
            "POST",
            "/v1/operator/jobs/export-d1-backup/run",
            undefined,
            login.body.accessToken,
          );
          expectStatus(run, 200, "run export-d1-backup");
          expect(run.body.status, run.body.error ?? "").toBe("succeeded");
          const filters = {
            job_runs: { where: "id <> ?", params: [run.body.id] },
            audit_events: { where: "target_id IS NOT ?", params: [run.body.id] },
          };
          const source: LocalSums = await localTableSums(stateDir, { filters });
          const day = new Date(run.body.startedAt).toISOString().slice(0, 10);
          const dir = mkdtempSync(join(work, "download-"));
          await downloadExport({ day, into: dir, from: stateDir });
          const manifest: Manifest = readManifest(dir);
          const moved = manifest.tables.filter(
            (t) => !(t.name in filters) && (source.sums[t.name]?.rows !== t.rows || source.sums[t.name]?.sha256 !== t.sha256),
          );
          return moved.length === 0 && { day, dir, manifest, source, filters };
        },
        { intervalMs: 1000 },
      );
      const { day, manifest, source, filters } = exported;
      expect(manifest.tables.map((t) => t.name).sort()).toEqual(source.tables.map((t) => t.name).sort());
      // The demo data, not empty tables: users, the catalog, sales, page views, project snapshots (a blob column).
      for (const table of [
        "users",
        "orgs",
        "items",
        "versions",
        "orders",
        "ledger_entries",
        "reviews",
        "page_views",
        "analytics_daily",
        "project_snapshots",
      ])
        expect(source.sums[table]?.rows, table).toBeGreaterThan(0);

      // The CLI, from the running server's local R2, into an empty persist dir.
      const restored = join(work, "restored");
      const out = await run(join(ROOT, "scripts/restore.mjs"), [day, "--from", stateDir, "--persist-to", restored], {
        timeoutMs: 3 * WAIT.serverStart,
      });
      expect(out).toContain("every table matches its manifest");
      const again: LocalSums = await localTableSums(restored, { tables: source.tables, filters });
      for (const table of source.tables)
        expect({ table: table.name, ...again.sums[table.name] }).toEqual({ table: table.name, ...source.sums[table.name] });

      // A second restore into the same dir is refused: a restore only ever fills a fresh D1.
      await expect(run(join(ROOT, "scripts/restore.mjs"), [exported.dir, "--persist-to", restored])).rejects.toThrow(
        /already holds a D1 database/,
      );
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it("stops cleanly on Ctrl-C: exit 0, ports closed, no leftover processes", async () => {
    start.kill("SIGINT");
    expect(await exitsWithin(SHUTDOWN_WITHIN_MS), `no exit within ${SHUTDOWN_WITHIN_MS} ms\n${output.slice(-4000)}`).toBe(true);
    expect(start.exitCode, output.slice(-4000)).toBe(0);
    for (const port of [apiPort, roomsPort, stripePort])
      await eventually(`port ${port} to close`, () => isPortFree(port), { timeoutMs: WAIT.processStop });
    // Everything start.mjs started carries this file's mark, workerd and esbuild included.
    expect(testFileProcesses()).toEqual([]);
  });
});

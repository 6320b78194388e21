// `npm start` end to end: the real script with its own state dir and ports, then Ctrl-C.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain .mjs helpers without type declarations
import { bin, freePort, isPortFree, NODE22, ROOT, run } from "./lib/processes.mjs";
// @ts-expect-error: plain .mjs helpers without type declarations
import { DEMO_PASSWORD } from "./seed.mjs";
import { eventually } from "./lib/eventually";

const STARTUP_TIMEOUT_MS = 240_000;
const SHUTDOWN_TIMEOUT_MS = 30_000;
const WEB_INDEX = join(ROOT, "web/dist/index.html");


/** Processes whose command line mentions `needle` (e.g. our temp state dir): leftovers if any remain. */
function processesMentioning(needle: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cmdline.includes(needle)) found.push(`${pid} ${cmdline}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

describe("npm start", () => {
  const stateDir = mkdtempSync(join(tmpdir(), "plaza-start-test-"));
  let apiPort: number;
  let roomsPort: number;
  let stripePort: number;
  let baseUrl: string;
  let stripeUrl: string;
  let start: ChildProcess;
  let output = "";
  let exitCode: Promise<number | null>;

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
      env: { ...process.env, PLAZA_STATE_DIR: stateDir, PORT: String(apiPort), ROOMS_PORT: String(roomsPort), STRIPE_PORT: String(stripePort) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    start.stdout!.on("data", (d) => (output += d));
    start.stderr!.on("data", (d) => (output += d));
    exitCode = new Promise((resolveExit) => start.on("exit", (code) => resolveExit(code)));
    try {
      // "exited" ends the wait early: there is nothing left to wait for.
      const outcome = await eventually(
        "npm start to print ready",
        () => (start.exitCode !== null ? "exited" : output.includes("[plaza] ready at") && "ready"),
        { timeoutMs: STARTUP_TIMEOUT_MS },
      );
      if (outcome === "exited") throw new Error(`start.mjs exited ${start.exitCode} before ready`);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${output.slice(-6000)}`);
    }
  }, STARTUP_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    // Only when a test failed before the Ctrl-C test: SIGTERM lets start.mjs stop its process groups.
    if (start && start.exitCode === null && start.signalCode === null) {
      start.kill("SIGTERM");
      await Promise.race([exitCode, new Promise((r) => setTimeout(r, SHUTDOWN_TIMEOUT_MS))]);
    }
    rmSync(stateDir, { recursive: true, force: true });
  }, SHUTDOWN_TIMEOUT_MS + 10_000);

  it("prints the URLs and the demo logins", () => {
    for (const path of ["/login", "/docs", "/openapi.json", "/dev/mailbox"]) expect(output).toContain(`${baseUrl}${path}`);
    expect(output).toContain("author@plaza.local");
    expect(output).toContain(DEMO_PASSWORD);
    expect(output).toMatch(new RegExp(`Stripe emulator\\s+${stripeUrl}`));
    expect(output).toContain(`${baseUrl}/items/ai-autocomplete`);
  });

  it("runs the Stripe emulator, and the demo author's org completed payout onboarding", async () => {
    const res = await fetch(`${stripeUrl}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ emulator: "stripe" });
    expect(output).toContain("[plaza] Acme Plugins completed payout onboarding (Stripe emulator)");
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

    const paid = await fetch(`${session.url}/pay`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" });
    await paid.arrayBuffer();
    expect(paid.status).toBe(303);
    expect(paid.headers.get("location")).toBe(`${baseUrl}/checkout/success?checkout=${session.checkoutId}`);
    // The emulator signs the event to Plaza's webhook with the secret npm start gave both.
    const status = await eventually("the order for the seeded item's checkout", async () => {
      const res = await fetch(`${baseUrl}/v1/checkouts/${session.checkoutId}`);
      const body = (await res.json()) as { status: string; orderId: string | null };
      return body.orderId ? body : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250 });
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

  it("stops cleanly on Ctrl-C: exit 0, ports closed, no leftover processes", async () => {
    start.kill("SIGINT");
    const code = await Promise.race([
      exitCode,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no exit within ${SHUTDOWN_TIMEOUT_MS} ms`)), SHUTDOWN_TIMEOUT_MS)),
    ]);
    expect(code, output.slice(-4000)).toBe(0);
    for (const port of [apiPort, roomsPort, stripePort]) await eventually(`port ${port} to close`, () => isPortFree(port), { timeoutMs: 10_000 });
    expect(processesMentioning(stateDir)).toEqual([]);
  }, SHUTDOWN_TIMEOUT_MS + 20_000);
});

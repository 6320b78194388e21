// The few Plaza API calls the benchmarks need to set up a realistic signed-in user.
import { randomBytes } from "node:crypto";

/** One JSON request; anything but 2xx throws with the answer. */
export async function call(baseUrl, method, path, { body, token } = {}) {
  const headers = { accept: "application/json" };
  if (body) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: body && JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Signup sends the link through the mail outbox; the dev mailbox shows it, possibly a moment later. */
async function verificationToken(baseUrl, email, { timeoutMs = 10_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { data } = await call(baseUrl, "GET", "/dev/mailbox.json");
    const text = data.find((m) => m.to === email)?.text ?? "";
    const token = /verify-email\?token=([^\s&]+)/.exec(text)?.[1];
    if (token) return decodeURIComponent(token);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no verification e-mail for ${email} within ${timeoutMs} ms`);
}

export function login(baseUrl, { email, password }) {
  return call(baseUrl, "POST", "/v1/auth/login", { body: { email, password } });
}

/**
 * A verified, signed-in user (signup, the link from the dev mailbox, login).
 * @returns {Promise<{ id: string, email: string, password: string, accessToken: string }>}
 */
export async function createSignedInUser(baseUrl) {
  const id = randomBytes(6).toString("hex");
  const email = `bench-${id}@example.com`;
  const password = `bench-password-${id}`;
  await call(baseUrl, "POST", "/v1/auth/signup", { body: { email, password, name: `Bench ${id}` } });
  await call(baseUrl, "POST", "/v1/auth/verify-email", { body: { token: await verificationToken(baseUrl, email) } });
  const { accessToken } = await login(baseUrl, { email, password });
  return { id, email, password, accessToken };
}

/**
 * A verified user who owns one org, so `GET /v1/me` does its full work (user row + memberships).
 * @returns {Promise<{ email: string, password: string, accessToken: string, orgId: string }>}
 */
export async function createSignedInUserWithOrg(baseUrl) {
  const { id, email, password, accessToken } = await createSignedInUser(baseUrl);
  const org = await call(baseUrl, "POST", "/v1/orgs", { token: accessToken, body: { name: `Bench org ${id}`, slug: `bench-${id}` } });
  return { email, password, accessToken, orgId: org.id };
}

/**
 * The baseline must come from the Worker's bare Hono route. If the assets layer answers instead
 * (its SPA fallback serves index.html for any path not in `run_worker_first`), the ratio would
 * compare against the wrong thing, so stop with the reason.
 */
export async function assertBareRouteServedByWorker(baseUrl) {
  const res = await fetch(`${baseUrl}/__bench/bare`);
  const body = await res.text();
  if (res.status === 200 && body === "ok") return;
  throw new Error(
    `GET /__bench/bare answered ${res.status} ${JSON.stringify(body.slice(0, 60))}, not the Worker's "ok". ` +
      `wrangler.toml's [assets] run_worker_first must include "/__bench/*" (otherwise the SPA fallback serves index.html), ` +
      `and the Worker needs the BENCH=1 var.`,
  );
}

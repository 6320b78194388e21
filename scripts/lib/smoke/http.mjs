// HTTP for the smoke test: every request has a deadline, and an answer keeps its status, headers and body.
import { Failed } from "./checks.mjs";

/** Names itself as a monitor, so the storefront does not count its page views (analytics/page-views.ts). */
const USER_AGENT = "plaza-smoke (uptime monitor)";

/**
 * @typedef {{ status: number, headers: Headers, text: string, json: any }} Answer
 */

/**
 * A client for the Plaza at `baseUrl`. `timeoutMs` bounds each request (a hung server fails the
 * check instead of hanging the smoke).
 * @param {string} baseUrl
 * @param {{ timeoutMs: number }} options
 */
export function smokeHttp(baseUrl, { timeoutMs }) {
  /**
   * @param {string} method
   * @param {string} pathOrUrl  a path on baseUrl, or an absolute URL
   * @param {{ json?: unknown, form?: string, token?: string, headers?: Record<string, string>, redirect?: RequestRedirect }} [options]
   * @returns {Promise<Answer>}
   */
  async function request(method, pathOrUrl, { json, form, token, headers = {}, redirect = "follow" } = {}) {
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${baseUrl}${pathOrUrl}`;
    let res;
    try {
      res = await fetch(url, {
        method,
        redirect,
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          "user-agent": USER_AGENT,
          ...headers,
          ...(json !== undefined && { "content-type": "application/json" }),
          ...(form !== undefined && { "content-type": "application/x-www-form-urlencoded" }),
          ...(token && { authorization: `Bearer ${token}` }),
        },
        body: json !== undefined ? JSON.stringify(json) : form,
      });
    } catch (err) {
      const cause = /** @type {any} */ (err).cause;
      throw new Failed(`${method} ${url}: ${cause?.code ?? cause?.message ?? /** @type {Error} */ (err).message}`);
    }
    const text = await res.text();
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, json: parsed };
  }

  /**
   * `request`, failing the check unless the status is `status`.
   * @param {number} status
   * @param {Parameters<typeof request>} args
   */
  async function expectStatus(status, ...args) {
    const answer = await request(...args);
    if (answer.status !== status) throw new Failed(`${args[0]} ${args[1]}: expected ${status}, got ${answer.status} ${short(answer.text)}`);
    return answer;
  }

  /**
   * Bytes of a GET (for downloads).
   * @param {string} pathOrUrl
   */
  async function download(pathOrUrl) {
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${baseUrl}${pathOrUrl}`;
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { "user-agent": USER_AGENT } });
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, bytes };
  }

  return { request, expectStatus, download };
}

/** A body cut to fit in a check's line. */
export const short = (/** @type {string} */ text, max = 160) => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/**
 * Polls `probe` every `intervalMs` until it answers something truthy, or fails naming `what` after
 * `timeoutMs` (with the probe's last error, if it threw). Never a fixed sleep.
 * @template T
 * @param {string} what
 * @param {() => Promise<T | undefined | null | false>} probe
 * @param {{ timeoutMs: number, intervalMs?: number }} options
 * @returns {Promise<T>}
 */
export async function pollUntil(what, probe, { timeoutMs, intervalMs = 250 }) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Failed(`no ${what} within ${timeoutMs} ms${lastError ? ` (${/** @type {Error} */ (lastError).message})` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// Plaza's API as the dev scripts call it (seeding through the running Worker): JSON in and out, a
// bearer token, and errors that say which request failed with what answer.
import { truncateText } from "../../shared/text.ts";
import { WAIT } from "./wait-budgets.mjs";

/** A request still unanswered after WAIT.step is abandoned and tried again (callers only send requests safe to repeat). */
const ATTEMPTS = 3;

async function fetchWithRetry(url, init) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(WAIT.step) });
    } catch (err) {
      if (attempt >= ATTEMPTS) throw new Error(`${init.method} ${url} failed ${ATTEMPTS} times: ${err.message ?? err}`);
    }
  }
}

/**
 * Sends `body` as JSON, or as it is with `contentType` (an image's bytes); answers the parsed JSON
 * (null when empty) and throws on any status but 2xx.
 */
export async function apiRequest(apiUrl, method, path, { token, body, contentType, headers = {} } = {}) {
  const raw = contentType !== undefined;
  const res = await fetchWithRetry(`${apiUrl}${path}`, {
    method,
    headers: {
      ...headers,
      ...(body !== undefined && { "content-type": raw ? contentType : "application/json" }),
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!res.ok)
    throw new Error(
      `${method} ${path} answered ${res.status}: ${typeof parsed === "string" ? truncateText(parsed, 500) : JSON.stringify(parsed)}`,
    );
  return parsed;
}

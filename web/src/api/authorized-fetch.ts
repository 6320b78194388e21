import { accessToken, refresh } from "../auth/session";
import { noteOfflineCopy } from "../ui/offline-copy";

const SESSION_CODES = new Set(["token_expired", "token_invalid", "token_revoked", "unauthenticated"]);

async function errorCode(res: Response): Promise<string | undefined> {
  const body: unknown = await res
    .clone()
    .json()
    .catch(() => null);
  return (body as { error?: { code?: string } } | null)?.error?.code;
}

/**
 * `fetch` with `Authorization: Bearer`. On a 401 it refreshes once and retries. Some routes use
 * the same codes for *their own* tokens (an expired invitation is `token_expired`), so only a
 * failed refresh ends the session (the session module then tells the app); a 401 that survives
 * a good refresh is left to the page.
 */
export async function authorizedFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const send = async () => {
    const headers = new Headers(init.headers);
    const token = await accessToken();
    if (token) headers.set("authorization", `Bearer ${token}`);
    const res = await fetch(input, { ...init, headers });
    noteOfflineCopy(res);
    return res;
  };
  const res = await send();
  if (res.status !== 401 || !SESSION_CODES.has((await errorCode(res)) ?? "")) return res;
  return (await refresh()) ? send() : res;
}

/**
 * The signed-in session. The access token lives in memory only (never in storage, so injected
 * scripts in other tabs or later visits cannot read it); the refresh token travels as the
 * HttpOnly `plaza_refresh` cookie, which this code never sees.
 */
import { type AuthTokensT, Me, type UserT } from "../../../shared/api";
import { ApiError } from "../api/errors";
import { publicApi } from "../api/public-client";
import { unwrap } from "../api/unwrap";
import { OFFLINE_COPY_HEADER } from "../offline/cached-paths";
import { clearLocalData } from "../offline/local-data";
import { isOffline, onConnectivity } from "../offline/network";
import { closeMutationQueue } from "../offline/queue";
import { storagePersistence } from "../offline/storage-persistence";

/** Refresh a little before expiry so requests rarely meet `token_expired`. */
const EXPIRY_MARGIN_MS = 30_000;
const REFRESH_LOCK = "plaza-refresh";
/**
 * Not a secret, only a hint that a refresh cookie may exist, so logged-out visits skip a
 * refresh call that can only fail.
 */
const SESSION_HINT = "plaza:has-session";

let access: { token: string; expiresAt: number } | null = null;
let signedInUser: UserT | null = null;
/**
 * Set while signed in "offline" (it stops waiting for the network): the page loaded without one,
 * so there is no access token, only the person of the cached `/v1/me`; the session is refreshed
 * when the browser is online again.
 */
let stopOfflineSession: (() => void) | null = null;
let refreshing: Promise<boolean> | null = null;
const endedListeners = new Set<(message: string) => void>();

export const isLoggedIn = () => access !== null || stopOfflineSession !== null;
export const currentUser = () => signedInUser;

function adopt(tokens: AuthTokensT) {
  // `tokens.refreshToken` is deliberately dropped: the cookie carries it.
  access = { token: tokens.accessToken, expiresAt: tokens.accessTokenExpiresAt };
  signedInUser = tokens.user;
  localStorage.setItem(SESSION_HINT, "1");
  endOfflineSession();
}

/**
 * Forgets the session. Signing out (`signedOut`) also deletes what this device kept for the
 * person (offline copies, queued changes); a session that ended by itself (expired, revoked
 * elsewhere) keeps them, so changes not yet sent go out once the same person signs in again.
 */
async function forget(o: { signedOut: boolean }): Promise<void> {
  const userId = signedInUser?.id;
  access = null;
  signedInUser = null;
  localStorage.removeItem(SESSION_HINT);
  endOfflineSession();
  if (userId && o.signedOut) {
    await closeMutationQueue();
    await clearLocalData({ userId });
  }
}

function endOfflineSession() {
  stopOfflineSession?.();
  stopOfflineSession = null;
}

export async function login(email: string, password: string): Promise<UserT> {
  const tokens = await unwrap(publicApi.v1.auth.login.$post({ json: { email, password } }));
  adopt(tokens);
  void storagePersistence();
  return tokens.user;
}

/**
 * Signs in with the token of an e-mailed sign-in link (single use): the same tokens and refresh
 * cookie as a password login. A session already open in this tab is ended first, so the link's
 * account replaces it rather than leaving a stray session behind.
 */
export async function loginWithMagicLink(token: string): Promise<UserT> {
  if (access) await logout();
  const tokens = await unwrap(publicApi.v1.auth["magic-link"].redeem.$post({ json: { token } }));
  adopt(tokens);
  void storagePersistence();
  return tokens.user;
}

/**
 * Exchanges the refresh cookie for a new access token. Only one refresh runs at a time, in this
 * tab (shared promise) and across tabs (Web Lock): the cookie rotates on every use, and
 * presenting an already-used one revokes the whole session.
 * Resolves false when there is no valid session (the user must log in).
 */
export function refresh(): Promise<boolean> {
  refreshing ??= withRefreshLock(rotate).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function rotate(): Promise<boolean> {
  try {
    // An empty body: the server then reads the HttpOnly cookie.
    adopt(await unwrap(publicApi.v1.auth.refresh.$post({ json: {} })));
    return true;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 400)) {
      const hadSession = isLoggedIn();
      void forget({ signedOut: false });
      // Revoked elsewhere or expired while in use: tell the app (not on a logged-out page load).
      if (hadSession) for (const listener of endedListeners) listener("Your session has ended. Please log in again.");
      return false;
    }
    throw err;
  }
}

function withRefreshLock<T>(task: () => Promise<T>): Promise<T> {
  // Web Locks exist in every current browser on secure contexts (localhost counts).
  return typeof navigator.locks?.request === "function" ? navigator.locks.request(REFRESH_LOCK, task) : task();
}

/** The access token for a request, refreshed first if it is about to expire. */
export async function accessToken(): Promise<string | null> {
  if (access && access.expiresAt - Date.now() < EXPIRY_MARGIN_MS) {
    // No network: the request goes with the old token, so the service worker can answer a read
    // from its cache; a 401 once online refreshes again (authorizedFetch).
    await refresh().catch((err: unknown) => {
      if (!isOffline(err)) throw err;
    });
  }
  return access?.token ?? null;
}

/** On page load: a refresh cookie from an earlier visit restores the session. */
export async function restoreSession(): Promise<boolean> {
  if (!localStorage.getItem(SESSION_HINT)) return false;
  try {
    return await refresh();
  } catch (err) {
    // Plaza unreachable: stay signed in offline if this device has the person's /v1/me, else the
    // login page will say so when the user tries.
    return isOffline(err) && (await restoreOffline());
  }
}

/** Signs in "offline" as the person of the cached `/v1/me` (the service worker's copy), until the network is back. */
async function restoreOffline(): Promise<boolean> {
  const res = await fetch("/v1/me").catch(() => null);
  if (!res?.ok || !res.headers.has(OFFLINE_COPY_HEADER)) return false;
  const me = Me.safeParse(await res.json().catch(() => null));
  if (!me.success) return false;
  signedInUser = me.data.user;
  // Online again: a refresh brings the access token (and sends the queued changes with it); a
  // refused one ends the session as any other (rotate()).
  stopOfflineSession = onConnectivity((online) => {
    if (online) void refresh().catch(() => undefined);
  });
  return true;
}

export async function logout(): Promise<void> {
  try {
    const token = await accessToken();
    // With the token in hand rather than through the signed-in client: logging out must not refresh first.
    if (token) await publicApi.v1.auth.logout.$post({}, { headers: { authorization: `Bearer ${token}` } });
  } catch {
    // The session may already be gone server-side; locally we forget it either way.
  } finally {
    await forget({ signedOut: true });
  }
}

/** Runs when the server stops accepting a session that was in use (revoked elsewhere, expired). */
export function onSessionEnded(listener: (message: string) => void): void {
  endedListeners.add(listener);
}

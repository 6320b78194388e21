// A small client for the Plaza HTTP API: JSON in, the error envelope out as an ApiError.

/** A response from the API that was not 2xx, carrying the envelope's code, fields and request id. */
export class ApiError extends Error {
  /** @param {number} status @param {{ code?: string, message?: string, requestId?: string, fields?: Record<string, string[]> }} envelope */
  constructor(status, envelope) {
    super(envelope.message || `HTTP ${status}`);
    this.status = status;
    this.code = envelope.code ?? "unknown_error";
    this.requestId = envelope.requestId;
    this.fields = envelope.fields ?? {};
  }
}

/** The API could not be reached at all (refused, DNS, timeout). */
export class NetworkError extends Error {
  constructor(url, cause) {
    const reason = cause?.cause?.code ?? cause?.cause?.message ?? cause?.message ?? "unknown error";
    super(`Could not reach the Plaza API at ${new URL(url).origin} (${reason}).`);
  }
}

const REQUEST_TIMEOUT_MS = 120_000;

/**
 * @param {{ api: string, token?: string }} connection
 */
export function createApiClient({ api, token }) {
  const origin = new URL(api).origin;

  /** @param {string} method @param {string} path relative to the API, or an absolute URL @param {{ json?: unknown, headers?: Record<string,string> }} [body] */
  async function request(method, path, { json, headers = {} } = {}) {
    const url = new URL(path.startsWith("/") ? `${api}${path}` : path, api);
    const allHeaders = { accept: "application/json", "user-agent": "plaza-cli", ...headers };
    // Never hand our token to another host, e.g. a storage URL the server might hand out.
    if (token && url.origin === origin) allHeaders.authorization = `Bearer ${token}`;
    let body;
    if (json !== undefined) {
      allHeaders["content-type"] = "application/json";
      body = JSON.stringify(json);
    }
    let res;
    try {
      res = await fetch(url, { method, headers: allHeaders, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (err) {
      throw new NetworkError(url, err);
    }
    const text = await res.text();
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = undefined;
    }
    if (res.ok) return parsed;
    const envelope =
      parsed?.error && typeof parsed.error === "object"
        ? parsed.error
        : { message: `${res.status} ${res.statusText} from ${method} ${url.pathname}` };
    throw new ApiError(res.status, envelope);
  }

  const orgPath = (orgId) => `/v1/orgs/${encodeURIComponent(orgId)}`;
  const itemPath = (orgId, itemId) => `${orgPath(orgId)}/items/${encodeURIComponent(itemId)}`;

  return {
    /** The signed-in user and their orgs (needs the profile:read scope). */
    me: () => request("GET", "/v1/me"),
    /** The org's items in every status: `{ data: Item[] }` (needs catalog:read). */
    orgItems: (orgId) => request("GET", `${orgPath(orgId)}/items`),
    /** Creates an item as a draft (an admin of the org, catalog:write). */
    createItem: (orgId, item) => request("POST", `${orgPath(orgId)}/items`, { json: item }),
    /** A tus upload's status (GET on its URL): `{ id, kind, state, offset, length, expiresAt, result }`; a failed one is a 422 ApiError. */
    uploadStatus: (uploadUrl) => request("GET", uploadUrl, { headers: { "tus-resumable": "1.0.0" } }),
    /** Every version of one of the org's items, yanked ones included, newest first: `{ data: Version[] }`. */
    itemVersions: (orgId, itemId) => request("GET", `${itemPath(orgId, itemId)}/versions`),
    /** Yanks a version (hidden from new installs) or undoes it; returns the Version. */
    setYanked: (orgId, itemId, version, yanked) =>
      request("POST", `${itemPath(orgId, itemId)}/versions/${encodeURIComponent(version)}/${yanked ? "yank" : "unyank"}`),
    /** The public page of one version. */
    versionPageUrl: (slug, version) => `${origin}/items/${encodeURIComponent(slug)}?version=${encodeURIComponent(version)}`,
    /** The item's details in the web app's author studio (for the org active there). */
    studioUrl: (itemId) => `${origin}/dashboard/items/${encodeURIComponent(itemId)}/details`,
  };
}

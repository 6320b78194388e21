import type { TestUser } from "./fixtures";
import { type CallResult, call } from "./http";

export const MANIFEST = (slug: string, version: string, engine = "^1.0.0") => ({
  name: slug,
  version,
  entry: "dist/index.js",
  permissions: ["storage"],
  engines: { plaza: engine },
  dependencies: {},
});

export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>) {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export const bundleBytes = (label: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array(new TextEncoder().encode(`bundle of ${label} ${crypto.randomUUID()}`));

export async function createItemViaApi(user: TestUser, orgId: string, body: Record<string, unknown>) {
  const res = await call("POST", `/v1/orgs/${orgId}/items`, { token: user.accessToken, body: { category: "productivity", ...body } });
  if (res.status !== 201) throw new Error(`create item failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; slug: string };
}

/** The two-step publish the CLI does: metadata, then bytes. */
export async function publishVersion(
  user: TestUser,
  slug: string,
  version: string,
  options: { channel?: "stable" | "beta"; engine?: string; bytes?: Uint8Array<ArrayBuffer> } = {},
) {
  const bytes = options.bytes ?? bundleBytes(`${slug}@${version}`);
  const upload = await call("POST", `/v1/items/${slug}/uploads`, {
    token: user.accessToken,
    body: {
      version,
      channel: options.channel ?? "stable",
      changelog: `Changes in ${version}`,
      manifest: MANIFEST(slug, version, options.engine),
      sha256: await sha256Hex(bytes),
      size: bytes.length,
    },
  });
  if (upload.status !== 201) return upload;
  return putBytes(user, upload.body.uploadUrl, bytes);
}

export async function putBytes(user: TestUser, uploadUrl: string, bytes: Uint8Array<ArrayBuffer>): Promise<CallResult> {
  const { exports } = await import("cloudflare:workers");
  const worker = (exports as unknown as { default: Fetcher }).default;
  const res = await worker.fetch(`http://plaza.test${uploadUrl}`, {
    method: "PUT",
    headers: {
      authorization: `Bearer ${user.accessToken}`,
      "content-type": "application/octet-stream",
      "content-length": String(bytes.length),
    },
    body: bytes,
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

/** Creates an item, publishes `version`, and makes the item public. */
export async function publishedItem(user: TestUser, orgId: string, body: Record<string, unknown>, version = "1.0.0", engine = "^1.0.0") {
  const item = await createItemViaApi(user, orgId, body);
  const published = await publishVersion(user, item.slug, version, { engine });
  if (published.status !== 201) throw new Error(`publish failed: ${JSON.stringify(published.body)}`);
  const res = await call("PATCH", `/v1/orgs/${orgId}/items/${item.id}`, { token: user.accessToken, body: { status: "published" } });
  if (res.status !== 200) throw new Error(`status change failed: ${JSON.stringify(res.body)}`);
  return item;
}

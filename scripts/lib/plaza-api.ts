import { createHash } from "node:crypto";
import type { AuthTokensT } from "../../shared/api";
import { eventually } from "./eventually";

/** An answer; `T` is the body's type where the caller reads it, `unknown` where it does not. */
export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
}

export function expectStatus(res: ApiAnswer<unknown>, status: number, what: string) {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
}

/**
 * The e2e tests' JSON client for a running Plaza. `origin` is read on every call, so a suite can
 * build the client before its server is up.
 */
export function plazaApi(origin: () => string) {
  async function api<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<ApiAnswer<T>> {
    const res = await fetch(`${origin()}${path}`, {
      method,
      headers: { ...(body !== undefined && { "content-type": "application/json" }), ...(token && { authorization: `Bearer ${token}` }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  /** Signs up, verifies through the dev mailbox's link, logs in: an access token. */
  async function signUpAndLogIn(user: { name: string; email: string; password: string }): Promise<string> {
    expectStatus(await api("POST", "/v1/auth/signup", { name: user.name, email: user.email, password: user.password }), 201, "signup");
    const token = await eventually(`a verification e-mail to ${user.email}`, async () => {
      const { body } = await api<{ data: { to: string; text: string }[] }>("GET", "/dev/mailbox.json");
      const mail = body.data.find((m) => m.to === user.email);
      return mail ? /[?&]token=([^\s&]+)/.exec(mail.text)?.[1] : undefined;
    });
    expectStatus(await api("POST", "/v1/auth/verify-email", { token }), 200, "verify");
    const login = await api<AuthTokensT>("POST", "/v1/auth/login", { email: user.email, password: user.password });
    expectStatus(login, 200, "login");
    return login.body.accessToken;
  }

  /** The `token` of the newest link to `path` (e.g. `/invites/accept`) e-mailed to `to`, from the dev mailbox. */
  async function mailedToken(to: string, path: string): Promise<string> {
    return eventually(`an e-mail to ${to} with a ${path} link`, async () => {
      const { body } = await api<{ data: { to: string; text: string }[] }>("GET", "/dev/mailbox.json");
      for (const mail of body.data.filter((m) => m.to === to)) {
        const link = new RegExp(`https?://\\S+${path.replace(/[/?]/g, "\\$&")}\\?token=(\\S+)`).exec(mail.text);
        if (link) return decodeURIComponent(link[1]!);
      }
      return undefined;
    });
  }

  /** The invitee (signed in with `invitee.token`) joins `orgId` as `role` through an invitation sent with `inviterToken`. */
  async function joinOrg(inviterToken: string, orgId: string, invitee: { email: string; token: string }, role: "admin" | "member") {
    expectStatus(
      await api("POST", `/v1/orgs/${orgId}/invites`, { email: invitee.email, role }, inviterToken),
      201,
      `invite ${invitee.email}`,
    );
    expectStatus(
      await api("POST", "/v1/invites/accept", { token: await mailedToken(invitee.email, "/invites/accept") }, invitee.token),
      200,
      `accept the invite of ${invitee.email}`,
    );
  }

  /**
   * Publishes a version the way the CLI does: announces it (manifest, SHA-256, size), then PUTs the
   * bytes. Without `bytes` a small made-up bundle; without `manifest` the smallest valid one.
   */
  async function uploadVersion(
    token: string,
    input: {
      slug: string;
      version: string;
      bytes?: Uint8Array;
      manifest?: Record<string, unknown>;
      channel?: "stable" | "beta";
      changelog?: string;
      contentType?: string;
    },
  ): Promise<void> {
    const { slug, version } = input;
    const bytes = input.bytes ?? new TextEncoder().encode(`bundle of ${slug}@${version}`);
    const manifest = input.manifest ?? {
      name: slug,
      version,
      entry: "dist/index.js",
      permissions: [],
      engines: { plaza: "^1.0.0" },
      dependencies: {},
    };
    const upload = await api<{ uploadUrl: string }>(
      "POST",
      `/v1/items/${slug}/uploads`,
      {
        version,
        ...(input.channel && { channel: input.channel }),
        ...(input.changelog !== undefined && { changelog: input.changelog }),
        manifest,
        sha256: createHash("sha256").update(bytes).digest("hex"),
        size: bytes.length,
      },
      token,
    );
    expectStatus(upload, 201, `announce ${slug}@${version}`);
    const put = await fetch(`${origin()}${upload.body.uploadUrl}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": input.contentType ?? "application/octet-stream" },
      // A copy backed by a plain ArrayBuffer, which fetch's body type asks for.
      body: new Uint8Array(bytes),
    });
    if (put.status !== 201) throw new Error(`upload ${slug}@${version}: expected 201, got ${put.status} ${await put.text()}`);
  }

  /**
   * Creates an item in `orgId`, uploads its first version and publishes it, as an author with the
   * CLI would: the item's id. `item` is the create body (`category` defaults to productivity).
   */
  async function publishItem(
    token: string,
    orgId: string,
    item: { slug: string; name: string } & Record<string, unknown>,
    version: Omit<Parameters<typeof uploadVersion>[1], "slug"> = { version: "1.0.0" },
  ): Promise<string> {
    const created = await api<{ id: string }>("POST", `/v1/orgs/${orgId}/items`, { category: "productivity", ...item }, token);
    expectStatus(created, 201, `create ${item.slug}`);
    await uploadVersion(token, { slug: item.slug, ...version });
    expectStatus(
      await api("PATCH", `/v1/orgs/${orgId}/items/${created.body.id}`, { status: "published" }, token),
      200,
      `publish ${item.slug}`,
    );
    return created.body.id;
  }

  /** Connect onboarding through the API and the Stripe emulator's hosted form, until the org can take payments. */
  async function completeOnboarding(token: string, orgId: string) {
    const link = await api<{ url: string }>("POST", `/v1/orgs/${orgId}/connect/onboarding`, undefined, token);
    expectStatus(link, 201, "onboarding link");
    const completed = await fetch(`${link.body.url}/complete`, { method: "POST", redirect: "manual" });
    if (completed.status !== 303) throw new Error(`onboarding form: expected 303, got ${completed.status}`);
    await eventually("charges enabled", async () => {
      const status = await api<{ chargesEnabled: boolean }>("GET", `/v1/orgs/${orgId}/connect`, undefined, token);
      return status.body.chargesEnabled ? true : undefined;
    });
  }

  return { api, signUpAndLogIn, mailedToken, joinOrg, uploadVersion, publishItem, completeOnboarding };
}

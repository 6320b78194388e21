import { eventually } from "./eventually";

export interface ApiAnswer<T = any> {
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
  async function api<T = any>(method: string, path: string, body?: unknown, token?: string): Promise<ApiAnswer<T>> {
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
    const login = await api("POST", "/v1/auth/login", { email: user.email, password: user.password });
    expectStatus(login, 200, "login");
    return login.body.accessToken;
  }

  return { api, signUpAndLogIn };
}

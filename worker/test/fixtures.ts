import { env } from "cloudflare:workers";
import { and, desc, eq } from "drizzle-orm";
import type { TokenScope } from "../../shared/roles";
import { createDb } from "../src/db/client";
import { mailMessages } from "../src/db/schema";
import { openBody } from "../src/mail/outbox";
import { eventually } from "./eventually";
import { call } from "./http";

export const PASSWORD = "correct horse battery staple";
let counter = 0;

export const uniqueEmail = (label = "user") => `${label}-${Date.now().toString(36)}-${++counter}@example.test`;

/** The newest e-mail to `to`, read from the mail outbox (the dev mailbox), its body opened. */
export async function lastMailTo(to: string) {
  const db = createDb(env.DB);
  const [mail] = await db.select().from(mailMessages).where(eq(mailMessages.to, to)).orderBy(desc(mailMessages.createdAt)).limit(1);
  if (!mail) throw new Error(`No mail to ${to}`);
  return { ...mail, ...(await openBody(env, mail)) };
}

/** The buyer's receipt e-mail once the mail consumer sent it (it is rendered then), body opened. */
export async function sentReceiptTo(to: string) {
  const row = await eventually(
    () =>
      createDb(env.DB)
        .select()
        .from(mailMessages)
        .where(and(eq(mailMessages.to, to), eq(mailMessages.template, "receipt"), eq(mailMessages.status, "sent")))
        .then((rows) => rows[0]),
    `the receipt to ${to} to be sent`,
  );
  return { ...row, ...(await openBody(env, row)) };
}

/** The `token` query parameter of the first link in the newest mail to `to`. */
export async function tokenFromMail(to: string): Promise<string> {
  const mail = await lastMailTo(to);
  const url = /https?:\/\/\S+/.exec(mail.text)?.[0];
  const token = url && new URL(url).searchParams.get("token");
  if (!token) throw new Error(`No token link in mail to ${to}: ${mail.text}`);
  return token;
}

export interface TestUser {
  id: string;
  email: string;
  name: string;
  accessToken: string;
  refreshToken: string;
}

/** Signs up, verifies the e-mail through the real link, and logs in. */
export async function createUser(label = "user"): Promise<TestUser> {
  const email = uniqueEmail(label);
  const signup = await call("POST", "/v1/auth/signup", { body: { email, password: PASSWORD, name: label } });
  if (signup.status !== 201) throw new Error(`signup failed: ${JSON.stringify(signup.body)}`);
  const verified = await call("POST", "/v1/auth/verify-email", { body: { token: await tokenFromMail(email) } });
  if (verified.status !== 200) throw new Error(`verify failed: ${JSON.stringify(verified.body)}`);
  const login = await call("POST", "/v1/auth/login", {
    body: { email, password: PASSWORD },
    headers: { "cf-connecting-ip": `198.51.100.${counter % 250}` },
  });
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  return { id: signup.body.id, email, name: label, accessToken: login.body.accessToken, refreshToken: login.body.refreshToken };
}

/** A personal API token (`plz_…`) of `user` holding `scopes`, made through the real API with their session. */
export async function createApiToken(user: TestUser, scopes: readonly TokenScope[]): Promise<string> {
  const res = await call("POST", "/v1/me/tokens", { token: user.accessToken, body: { name: "test", scopes } });
  if (res.status !== 201) throw new Error(`token failed: ${JSON.stringify(res.body)}`);
  return res.body.token;
}

export async function createOrg(owner: TestUser, slug = `org-${Date.now().toString(36)}-${++counter}`) {
  const res = await call("POST", "/v1/orgs", { token: owner.accessToken, body: { name: `Org ${slug}`, slug } });
  if (res.status !== 201) throw new Error(`createOrg failed: ${JSON.stringify(res.body)}`);
  return res.body as { id: string; slug: string };
}

/** Invites `user` into `orgId` with `role` and accepts through the e-mailed link. */
export async function addMember(inviter: TestUser, orgId: string, user: TestUser, role: "member" | "admin" | "owner") {
  const invite = await call("POST", `/v1/orgs/${orgId}/invites`, { token: inviter.accessToken, body: { email: user.email, role } });
  if (invite.status !== 201) throw new Error(`invite failed: ${JSON.stringify(invite.body)}`);
  const accepted = await call("POST", "/v1/invites/accept", { token: user.accessToken, body: { token: await tokenFromMail(user.email) } });
  if (accepted.status !== 200) throw new Error(`accept failed: ${JSON.stringify(accepted.body)}`);
}

/** Makes a user a platform operator (there is no API for that, by design). */
export async function makeOperator(user: TestUser) {
  await env.DB.prepare("UPDATE users SET is_operator = 1 WHERE id = ?").bind(user.id).run();
}

export interface OrgFixture {
  orgId: string;
  owner: TestUser;
  admin: TestUser;
  member: TestUser;
  /** Owner of another org, and member of nothing here. */
  outsider: TestUser;
  outsiderOrgId: string;
  /** A platform operator who belongs to no org. */
  operator: TestUser;
}

/** One org with an owner, an admin and a member; an outsider who owns another org; an operator. */
export async function orgFixture(): Promise<OrgFixture> {
  const [owner, admin, member, outsider, operator] = await Promise.all([
    createUser("owner"),
    createUser("admin"),
    createUser("member"),
    createUser("outsider"),
    createUser("operator"),
  ]);
  await makeOperator(operator);
  const org = await createOrg(owner);
  const outsiderOrg = await createOrg(outsider);
  await addMember(owner, org.id, admin, "admin");
  await addMember(owner, org.id, member, "member");
  return { orgId: org.id, owner, admin, member, outsider, outsiderOrgId: outsiderOrg.id, operator };
}

import { expect } from "vitest";
import type { OrgFixture, TestUser } from "./fixtures";
import { type CallOptions, call, errorCode } from "./http";

/**
 * Who makes the request: nobody; a member of another org; a member, admin or owner of the
 * fixture org; a platform operator who belongs to no org here.
 */
export const ACTORS = ["anon", "outsider", "member", "admin", "owner", "operator"] as const;
export type Actor = (typeof ACTORS)[number];
export type Expected = Record<Actor, number>;

export interface MatrixRequest {
  method: string;
  path: string;
  options?: CallOptions;
}

/**
 * One route's matrix. `route` is `METHOD /hono/:path` as registered; `build` runs once per actor,
 * so a route that changes state can prepare a fresh target each time (a new invite to revoke).
 */
export interface MatrixCase {
  route: string;
  build: (fx: OrgFixture, actor: Actor, user: TestUser | undefined) => MatrixRequest | Promise<MatrixRequest>;
  expected: Expected;
}

export function actorUser(fx: OrgFixture, actor: Actor): TestUser | undefined {
  return actor === "anon" ? undefined : fx[actor];
}

/** Runs one case as every actor; error answers must carry the envelope. */
export async function expectMatrix(fx: OrgFixture, matrix: MatrixCase) {
  const actual = {} as Expected;
  for (const actor of ACTORS) {
    const user = actorUser(fx, actor);
    const req = await matrix.build(fx, actor, user);
    // A request may bring its own token (a fresh session to log out); anon never sends one.
    const token = actor === "anon" ? undefined : (req.options?.token ?? user?.accessToken);
    const res = await call(req.method, req.path, { ...req.options, token });
    actual[actor] = res.status;
    if (res.status >= 400) errorCode(res);
  }
  expect(actual, matrix.route).toEqual(matrix.expected);
}

/** The usual shapes. Operators see tenant data only through operator routes, never org routes. */
export const PUBLIC: Expected = { anon: 200, outsider: 200, member: 200, admin: 200, owner: 200, operator: 200 };
export const ANY_USER: Expected = { anon: 401, outsider: 200, member: 200, admin: 200, owner: 200, operator: 200 };
export const ORG_READ: Expected = { anon: 401, outsider: 404, member: 200, admin: 200, owner: 200, operator: 404 };
export const ORG_ADMIN: Expected = { anon: 401, outsider: 404, member: 403, admin: 200, owner: 200, operator: 404 };
/** Only the fixture owner's own thing (their session, their token); others must not even see it. */
export const OWNER_ONLY: Expected = { anon: 401, outsider: 404, member: 404, admin: 404, owner: 200, operator: 404 };
export const OPERATOR_ONLY: Expected = { anon: 401, outsider: 403, member: 403, admin: 403, owner: 403, operator: 200 };

/** The same matrix with another success status (201, 202, 204). */
export function succeedsWith(matrix: Expected, status: number): Expected {
  return Object.fromEntries(ACTORS.map((a) => [a, matrix[a] === 200 ? status : matrix[a]])) as Expected;
}

/** The user an actor acts as; anon gets a throwaway user for routes that need no login. */
export async function userFor(actor: Actor, user: TestUser | undefined, create: (label: string) => Promise<TestUser>) {
  return user ?? (await create(`anon-${actor}`));
}

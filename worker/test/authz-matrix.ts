import { expect } from "vitest";
import type { OrgFixture, TestUser } from "./fixtures";
import { call, errorCode, type CallOptions } from "./http";

/** Who makes the request: nobody, a member of another org, or a member of the fixture org by role. */
export const ACTORS = ["anon", "outsider", "member", "admin", "owner"] as const;
export type Actor = (typeof ACTORS)[number];

export interface MatrixRequest {
  method: string;
  path: string;
  options?: CallOptions;
}

/**
 * The route under test, as `METHOD /openapi/{template}`; a coverage test checks that every
 * registered route has a matrix.
 */
export const coveredRoutes = new Set<string>();

export function actorUser(fx: OrgFixture, actor: Actor): TestUser | undefined {
  return actor === "anon" ? undefined : fx[actor];
}

/**
 * Runs one route as every actor and asserts the status each one gets. `build` is called per
 * actor, so routes that change state can prepare a fresh target for each (e.g. a new invite).
 * Error answers must carry the envelope.
 */
export async function expectMatrix(
  fx: OrgFixture,
  route: string,
  build: (actor: Actor, user: TestUser | undefined) => MatrixRequest | Promise<MatrixRequest>,
  expected: Record<Actor, number>,
) {
  coveredRoutes.add(route);
  const actual = {} as Record<Actor, number>;
  for (const actor of ACTORS) {
    const user = actorUser(fx, actor);
    const req = await build(actor, user);
    // A request may bring its own token (a fresh session to log out); anon never sends one.
    const token = actor === "anon" ? undefined : (req.options?.token ?? user?.accessToken);
    const res = await call(req.method, req.path, { ...req.options, token });
    actual[actor] = res.status;
    if (res.status >= 400) errorCode(res);
  }
  expect(actual, route).toEqual(expected);
}

/** The usual shapes: who may read org data, who may administer it. */
export const ORG_READ = { anon: 401, outsider: 404, member: 200, admin: 200, owner: 200 } as const;
export const ORG_ADMIN = { anon: 401, outsider: 404, member: 403, admin: 200, owner: 200 } as const;
export const ANY_USER = { anon: 401, outsider: 200, member: 200, admin: 200, owner: 200 } as const;
/** Only the owner of the thing (the fixture owner); everyone else must not even see it. */
export const OWNER_ONLY = { anon: 401, outsider: 404, member: 404, admin: 404, owner: 200 } as const;
export const PUBLIC = { anon: 200, outsider: 200, member: 200, admin: 200, owner: 200 } as const;

/** The same matrix with another success status (201, 202, 204). */
export function succeedsWith<T extends Record<Actor, number>>(matrix: T, status: number): Record<Actor, number> {
  return Object.fromEntries(ACTORS.map((a) => [a, matrix[a] === 200 ? status : matrix[a]])) as Record<Actor, number>;
}

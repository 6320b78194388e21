import { expect } from "vitest";
import { TOKEN_SCOPES, type TokenScope } from "../../shared/roles";
import { createApiToken, type OrgFixture, type TestUser } from "./fixtures";
import { type CallOptions, type CallResult, call, errorCode } from "./http";

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
 * What a route asks of a personal API token, as its gate says: the `scope` it passes to
 * requireOrgRole / requirePrincipal / requireOperator, or `sessionOnly` (requireSession: no token
 * at all), or `public` (no user credential decides: open routes, and those a room or Stripe signs).
 */
export type TokenRule =
  | { scope: TokenScope; sessionOnly?: never; public?: never }
  | { sessionOnly: true; scope?: never; public?: never }
  | { public: true; scope?: never; sessionOnly?: never };

/**
 * One route's matrix. `route` is `METHOD /hono/:path` as registered; `build` runs once per actor
 * and once more per API-token call, so a route that changes state can prepare a fresh target each
 * time (a new invite to revoke).
 */
export type MatrixCase = {
  route: string;
  build: (fx: OrgFixture, actor: Actor, user: TestUser | undefined) => MatrixRequest | Promise<MatrixRequest>;
  expected: Expected;
} & TokenRule;

export function actorUser(fx: OrgFixture, actor: Actor): TestUser | undefined {
  return actor === "anon" ? undefined : fx[actor];
}

/** An answer as the matrix compares it: the status, and for an error the code of its envelope. */
type Answer = string;
const answerOf = (res: CallResult): Answer => (res.status >= 400 ? `${res.status} ${errorCode(res)}` : `${res.status}`);

/**
 * Runs one case as every actor with their sessions (error answers must carry the envelope), then
 * with API tokens of the actor the case lets through, as its token rule says.
 */
export async function expectMatrix(fx: OrgFixture, matrix: MatrixCase) {
  const rule = tokenRuleOf(matrix);
  const actual = {} as Expected;
  const answers = {} as Record<Actor, Answer>;
  for (const actor of ACTORS) {
    const user = actorUser(fx, actor);
    const req = await matrix.build(fx, actor, user);
    // A request may bring its own token (a fresh session to log out); anon never sends one.
    const token = actor === "anon" ? undefined : (req.options?.token ?? user?.accessToken);
    const res = await call(req.method, req.path, { ...req.options, token });
    actual[actor] = res.status;
    answers[actor] = answerOf(res);
  }
  expect(actual, matrix.route).toEqual(matrix.expected);
  await expectTokenAnswers(fx, matrix, rule, answers);
}

/** The case's token rule; a case that declares none (or two) fails, so no route skips the token calls. */
function tokenRuleOf(matrix: MatrixCase): TokenRule {
  const declared = [matrix.scope !== undefined, matrix.sessionOnly === true, matrix.public === true].filter(Boolean).length;
  if (declared !== 1)
    throw new Error(
      `${matrix.route}: declare exactly one of \`scope\` (what its gate asks of an API token), \`sessionOnly\` or \`public\``,
    );
  return matrix;
}

const SIGNED_IN = ACTORS.filter((a): a is Exclude<Actor, "anon"> => a !== "anon");
const REFUSED = [401, 403, 404];

/** The weakest signed-in actor whose session the route lets through (it may still answer 409). */
function allowedActor(matrix: MatrixCase) {
  const actor = SIGNED_IN.find((a) => !REFUSED.includes(matrix.expected[a]));
  if (!actor) throw new Error(`${matrix.route}: no signed-in actor gets through, so no API token can be tried`);
  return actor;
}

const allScopesBut = (scope: TokenScope) => TOKEN_SCOPES.filter((s) => s !== scope);

/**
 * API-token calls, each answer keyed by who called with which token:
 * - `scope`: a token holding only that scope gets the session's answer; one holding every other
 *   scope gets 403 insufficient_scope. Both send one request: the gate refuses before the route
 *   changes anything, so it is still fresh for the token that holds the scope.
 * - `sessionOnly`: a token holding every scope gets 403 forbidden.
 * - `public`: tokens holding only one scope, or every other one, both get the session's answer.
 */
async function expectTokenAnswers(fx: OrgFixture, matrix: MatrixCase, rule: TokenRule, sessions: Record<Actor, Answer>) {
  const actor = rule.public ? "outsider" : allowedActor(matrix);
  const user = fx[actor];
  const send = async (req: MatrixRequest, scopes: readonly TokenScope[]) =>
    answerOf(await call(req.method, req.path, { ...req.options, token: await apiToken(user, scopes) }));
  const build = () => matrix.build(fx, actor, user);
  const actual: Record<string, Answer> = {};
  const expected: Record<string, Answer> = {};
  if (rule.scope) {
    const req = await build();
    const only = `${actor} with only ${rule.scope}`;
    const others = `${actor} with every scope but ${rule.scope}`;
    actual[others] = await send(req, allScopesBut(rule.scope));
    actual[only] = await send(req, [rule.scope]);
    Object.assign(expected, { [others]: "403 insufficient_scope", [only]: sessions[actor] });
  } else if (rule.sessionOnly) {
    const every = `${actor} with every scope`;
    actual[every] = await send(await build(), TOKEN_SCOPES);
    expected[every] = "403 forbidden";
  } else {
    const [scope] = TOKEN_SCOPES;
    const only = `${actor} with only ${scope}`;
    const others = `${actor} with every scope but ${scope}`;
    actual[only] = await send(await build(), [scope]);
    actual[others] = await send(await build(), allScopesBut(scope));
    Object.assign(expected, { [only]: sessions[actor], [others]: sessions[actor] });
  }
  expect(actual, `${matrix.route} with API tokens`).toEqual(expected);
}

/** Personal API tokens made through the real API on first use, one per user and set of scopes. */
const apiTokens = new Map<string, Promise<string>>();
function apiToken(user: TestUser, scopes: readonly TokenScope[]): Promise<string> {
  const key = `${user.id} ${scopes.join(" ")}`;
  let token = apiTokens.get(key);
  if (!token) {
    token = createApiToken(user, scopes);
    apiTokens.set(key, token);
  }
  return token;
}

/** The usual shapes. Operators see tenant data only through operator routes, never org routes. */
export const PUBLIC: Expected = { anon: 200, outsider: 200, member: 200, admin: 200, owner: 200, operator: 200 };
export const ANY_USER: Expected = { anon: 401, outsider: 200, member: 200, admin: 200, owner: 200, operator: 200 };
export const ORG_READ: Expected = { anon: 401, outsider: 404, member: 200, admin: 200, owner: 200, operator: 404 };
export const ORG_ADMIN: Expected = { anon: 401, outsider: 404, member: 403, admin: 200, owner: 200, operator: 404 };
/** Only the fixture owner's own thing (their session, their token); others must not even see it. */
export const OWNER_ONLY: Expected = { anon: 401, outsider: 404, member: 404, admin: 404, owner: 200, operator: 404 };
export const OPERATOR_ONLY: Expected = { anon: 404, outsider: 404, member: 404, admin: 404, owner: 404, operator: 200 };

/** The same matrix with another success status (201, 202, 204). */
export function succeedsWith(matrix: Expected, status: number): Expected {
  return Object.fromEntries(ACTORS.map((a) => [a, matrix[a] === 200 ? status : matrix[a]])) as Expected;
}

/** The user an actor acts as; anon gets a throwaway user for routes that need no login. */
export async function userFor(actor: Actor, user: TestUser | undefined, create: (label: string) => Promise<TestUser>) {
  return user ?? (await create(`anon-${actor}`));
}

import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { TUS_ENDPOINT } from "../../../shared/uploads";
import { MATRIX_CASES } from "../../test/authz-cases";
import { ACTORS, type Actor, actorUser, type MatrixCase } from "../../test/authz-matrix";
import { type OrgFixture, orgFixture } from "../../test/fixtures";
import { type CallOptions, call, errorCode } from "../../test/http";
import { jobContext } from "../../test/jobs";
import { project } from "../../test/project-fixtures";
import { documentWith } from "../../test/rooms";
import { scriptedRoom } from "../../test/scripted-room";
import { createDb } from "../db/client";
import { projects } from "../db/schema";
import { purgeExpiredIdempotencyKeys } from "./jobs";
import { ABANDONED_CLAIM_MS, IDEMPOTENCY_TTL_MS } from "./store";
import { idempotencyKeys } from "./tables";

const db = createDb(env.DB);
let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

const keyed = (key: string, options: CallOptions = {}): CallOptions => ({
  ...options,
  headers: { ...options.headers, "idempotency-key": key },
});
const newProject = (key: string, name: string, token = fx.owner.accessToken, orgId = fx.orgId) =>
  call("POST", `/v1/orgs/${orgId}/projects`, keyed(key, { token, body: { name } }));
const projectsNamed = async (name: string) => (await db.select({ id: projects.id }).from(projects).where(eq(projects.name, name))).length;
const keyRows = (key: string) => db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
const setKeyRow = (key: string, values: Partial<typeof idempotencyKeys.$inferInsert>) =>
  db.update(idempotencyKeys).set(values).where(eq(idempotencyKeys.key, key));
const replayed = (res: { headers: Headers }) => res.headers.get("idempotent-replayed");

describe("Idempotency-Key", () => {
  it("the same key and body again answer the first response, marked replayed, and run the route once", async () => {
    const key = crypto.randomUUID();
    const name = `once-${key}`;
    const first = await newProject(key, name);
    expect(first.status).toBe(201);
    expect(replayed(first)).toBeNull();
    const again = await newProject(key, name);
    expect([again.status, again.body, replayed(again)]).toEqual([201, first.body, "true"]);
    expect(again.headers.get("content-type")).toBe(first.headers.get("content-type"));
    expect(await projectsNamed(name)).toBe(1);
  });

  it("a replay carries the first answer's ETag (a PATCH with If-Match, retried after it moved the version on)", async () => {
    const p = await project(fx);
    const key = crypto.randomUUID();
    const rename = () =>
      call("PATCH", p.path, keyed(key, { token: fx.owner.accessToken, body: { name: "Renamed" }, headers: { "if-match": '"1"' } }));
    const first = await rename();
    expect([first.status, first.headers.get("etag")]).toEqual([200, '"2"']);
    const again = await rename();
    expect([again.status, again.body, again.headers.get("etag"), replayed(again)]).toEqual([200, first.body, '"2"', "true"]);
  });

  it("the same key with another body is 422 idempotency_key_reused, and nothing runs", async () => {
    const key = crypto.randomUUID();
    expect((await newProject(key, `first-${key}`)).status).toBe(201);
    const other = await newProject(key, `other-${key}`);
    expect([other.status, errorCode(other)]).toEqual([422, "idempotency_key_reused"]);
    expect(await projectsNamed(`other-${key}`)).toBe(0);
    // Another path is another request too.
    const elsewhere = await call(
      "POST",
      `/v1/orgs/${fx.orgId}/projects?x=1`,
      keyed(key, { token: fx.owner.accessToken, body: { name: `first-${key}` } }),
    );
    expect([elsewhere.status, errorCode(elsewhere)]).toEqual([422, "idempotency_key_reused"]);
  });

  it("concurrent duplicates run once; the others get the replay or 409 idempotency_in_progress with Retry-After", async () => {
    const key = crypto.randomUUID();
    const name = `concurrent-${key}`;
    const answers = await Promise.all([1, 2, 3].map(() => newProject(key, name)));
    expect(await projectsNamed(name)).toBe(1);
    const ran = answers.filter((a) => a.status === 201 && replayed(a) === null);
    expect(ran).toHaveLength(1);
    for (const other of answers.filter((a) => a !== ran[0])) {
      if (other.status === 409) {
        expect(errorCode(other)).toBe("idempotency_in_progress");
        expect(other.headers.get("retry-after")).toBe("1");
      } else {
        expect([other.status, other.body, replayed(other)]).toEqual([201, ran[0]!.body, "true"]);
      }
    }
  });

  it("while the first request runs, the same key is 409 with Retry-After: 1; an abandoned claim is taken over", async () => {
    const key = crypto.randomUUID();
    const name = `running-${key}`;
    expect((await newProject(key, name)).status).toBe(201);
    // As if the first request were still running (claimed, no response yet).
    await setKeyRow(key, { state: "running", response: null, createdAt: Date.now() });
    const busy = await newProject(key, name);
    expect([busy.status, errorCode(busy), busy.headers.get("retry-after")]).toEqual([409, "idempotency_in_progress", "1"]);
    // Its isolate died: after ABANDONED_CLAIM_MS the next retry runs the request again.
    await setKeyRow(key, { createdAt: Date.now() - ABANDONED_CLAIM_MS - 1 });
    const retried = await newProject(key, name);
    expect([retried.status, replayed(retried)]).toEqual([201, null]);
    expect(await projectsNamed(name)).toBe(2);
  });

  it("a 5xx is not stored: the key is released and a retry runs the route again", async () => {
    const p = await project(fx);
    const room = scriptedRoom(p.id, documentWith("live"));
    room.down = true;
    const key = crypto.randomUUID();
    const snapshot = () => call("POST", `${p.path}/snapshots`, keyed(key, { token: fx.owner.accessToken }));
    const down = await snapshot();
    expect([down.status, errorCode(down)]).toEqual([503, "rooms_unavailable"]);
    expect(await keyRows(key)).toEqual([]);
    room.down = false;
    const up = await snapshot();
    expect([up.status, replayed(up)]).toEqual([201, null]);
    const again = await snapshot();
    expect([again.status, again.body, replayed(again)]).toEqual([201, up.body, "true"]);
  });

  it("keys are per user: another user's same key runs their own request; a user's new token replays theirs", async () => {
    const key = crypto.randomUUID();
    const name = `per-user-${key}`;
    const owner = await newProject(key, name);
    const outsider = await newProject(key, name, fx.outsider.accessToken, fx.outsiderOrgId);
    expect([outsider.status, replayed(outsider)]).toEqual([201, null]);
    expect(outsider.body.id).not.toBe(owner.body.id);
    expect(await projectsNamed(name)).toBe(2);
    // A personal API token of the same user: the same principal, so the same key.
    const token = await call("POST", "/v1/me/tokens", { token: fx.owner.accessToken, body: { name: "idem", scopes: ["orgs:write"] } });
    const viaToken = await newProject(key, name, token.body.token);
    expect([viaToken.status, viaToken.body, replayed(viaToken)]).toEqual([201, owner.body, "true"]);
  });

  it("stores the response sealed: a secret it holds is not in D1 in the clear", async () => {
    const key = crypto.randomUUID();
    const created = await call(
      "POST",
      "/v1/me/tokens",
      keyed(key, { token: fx.owner.accessToken, body: { name: "sealed", scopes: ["orgs:read"] } }),
    );
    expect(created.status).toBe(201);
    const [row] = await keyRows(key);
    expect(row?.state).toBe("done");
    expect(row?.response).not.toContain(created.body.token);
    expect(row?.response).not.toContain("sealed");
    const again = await call(
      "POST",
      "/v1/me/tokens",
      keyed(key, { token: fx.owner.accessToken, body: { name: "sealed", scopes: ["orgs:read"] } }),
    );
    expect([again.body.token, replayed(again)]).toEqual([created.body.token, "true"]);
  });

  it("without the header, or on a GET, nothing is stored; a malformed key is 400", async () => {
    const name = `plain-${crypto.randomUUID()}`;
    const before = await db.$count(idempotencyKeys);
    expect((await call("POST", `/v1/orgs/${fx.orgId}/projects`, { token: fx.owner.accessToken, body: { name } })).status).toBe(201);
    expect((await call("GET", `/v1/orgs/${fx.orgId}/projects`, keyed(crypto.randomUUID(), { token: fx.owner.accessToken }))).status).toBe(
      200,
    );
    expect(await db.$count(idempotencyKeys)).toBe(before);
    for (const bad of ["a b", "x".repeat(256), "a\tb"]) {
      const res = await newProject(bad, name);
      expect([res.status, errorCode(res)], bad).toEqual([400, "invalid_request"]);
    }
  });

  it("anonymous keys are one scope whose fingerprint includes the body (and cookies)", async () => {
    const key = crypto.randomUUID();
    const login = (password: string, cookie?: string) =>
      call("POST", "/v1/auth/login", keyed(key, { body: { email: fx.member.email, password }, headers: cookie ? { cookie } : {} }));
    const wrong = await login("not the password");
    expect([wrong.status, errorCode(wrong)]).toEqual([401, "invalid_credentials"]);
    const again = await login("not the password");
    expect([again.status, replayed(again)]).toEqual([401, "true"]);
    const [row] = await keyRows(key);
    expect(row?.scope).toBe("anon");
    const withCookie = await login("not the password", "plaza_refresh=someone-else");
    expect([withCookie.status, errorCode(withCookie)]).toEqual([422, "idempotency_key_reused"]);
  });

  it("is documented in /openapi.json as a shared header parameter", async () => {
    const spec = (await call("GET", "/openapi.json")).body;
    expect(spec.components.parameters.IdempotencyKey).toMatchObject({ name: "Idempotency-Key", in: "header", required: false });
    expect(spec.components.headers.IdempotentReplayed).toBeDefined();
  });

  it("tus passes the header through (its offsets make a retry safe)", async () => {
    const key = crypto.randomUUID();
    const res = await call("POST", TUS_ENDPOINT, keyed(key, { token: fx.owner.accessToken, headers: { "tus-resumable": "1.0.0" } }));
    expect(replayed(res)).toBeNull();
    expect(await keyRows(key)).toEqual([]);
  });

  it("the maintenance job deletes keys older than 24 hours, and an expired key not yet purged is claimed afresh", async () => {
    const [purged, kept, expired] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    for (const key of [purged, kept, expired]) expect((await newProject(key, `ttl-${key}`)).status).toBe(201);
    const now = Date.now();
    await setKeyRow(purged, { createdAt: now - IDEMPOTENCY_TTL_MS - 1 });
    await setKeyRow(kept, { createdAt: now - IDEMPOTENCY_TTL_MS + 60_000 });
    await setKeyRow(expired, { createdAt: now - IDEMPOTENCY_TTL_MS - 1 });
    await purgeExpiredIdempotencyKeys(jobContext(env, now));
    expect(await keyRows(purged)).toEqual([]);
    expect(await keyRows(expired)).toEqual([]);
    expect(await keyRows(kept)).toHaveLength(1);

    // Expired but still there (the job had not run): a new request under the key, not a replay.
    const late = crypto.randomUUID();
    expect((await newProject(late, `late-${late}`)).status).toBe(201);
    await setKeyRow(late, { createdAt: Date.now() - IDEMPOTENCY_TTL_MS - 1 });
    const fresh = await newProject(late, `late-other-${late}`);
    expect([fresh.status, replayed(fresh)]).toEqual([201, null]);
    const [row] = await keyRows(late);
    expect(row?.createdAt).toBeGreaterThan(Date.now() - IDEMPOTENCY_TTL_MS);
  });
});

/**
 * Mutating routes the middleware passes through, and why (worker/src/idempotency/middleware.ts);
 * every other mutating route of the role matrix must answer a retry with its first answer.
 */
const PASSED_THROUGH: Record<string, string> = {
  "POST /v1/orgs/:orgId/orders/:orderId/refund": "the key names one refund of the order; a retry answers that refund as it is now",
  "POST /v1/operator/orders/:orderId/refund": "the key names one refund of the order; a retry answers that refund as it is now",
  "POST /v1/items/:slug/checkout": "the key is passed on to Stripe, which replays its Checkout Session",
  "POST /v1/stripe/webhooks": "signed by Stripe and deduplicated by event id",
  "POST /v1/stripe/connect-webhooks": "signed by Stripe and deduplicated by event id",
  "POST /v1/rooms/:roomId/snapshots": "signed by the room, which has no user scope",
  "POST /v1/rooms/:roomId/events": "signed by the room, which has no user scope",
  "POST /v1/rooms/:roomId/admissions": "signed by the room, which has no user scope",
};

/** Wrapped, but a retry as the matrix builds it is refused before the middleware: by authenticate(). */
const RETRY_REFUSED: Record<string, string> = {
  "POST /v1/auth/logout": "the session the first call ended no longer authenticates the retry (401)",
};

/**
 * Who is tried: the first of these the case lets through with a 2xx, else the first it lets past
 * its gate (a 409 the route decided is stored and answered again like a 2xx).
 */
const TRIED: Actor[] = ["owner", "admin", "member", "operator", "anon"];
const is2xx = (status: number) => status >= 200 && status < 300;
const pastTheGate = (status: number) => ![401, 403, 404].includes(status);
const triedActor = (matrix: MatrixCase) =>
  TRIED.find((a) => is2xx(matrix.expected[a])) ?? TRIED.find((a) => pastTheGate(matrix.expected[a]));
const MUTATING = MATRIX_CASES.filter((c) => ["POST", "PUT", "PATCH", "DELETE"].includes(c.route.split(" ")[0]!));

/** Builds the case's request as `actor` and sends it twice with one fresh key. */
async function sendTwice(matrix: MatrixCase, actor: Actor) {
  const user = actorUser(fx, actor);
  const req = await matrix.build(fx, actor, user);
  const token = actor === "anon" ? undefined : (req.options?.token ?? user?.accessToken);
  const key = crypto.randomUUID();
  const send = () => call(req.method, req.path, keyed(key, { ...req.options, token }));
  const first = await send();
  const second = await send();
  return { first, second, rows: await db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key)) };
}

describe("every mutating route of the role matrix", () => {
  it("has cases to try (the matrix is found)", () => {
    expect(MUTATING.length).toBeGreaterThan(50);
    expect(ACTORS).toEqual(expect.arrayContaining(TRIED));
  });

  it("lists only routes the matrix has, each once", () => {
    const routes = new Set(MUTATING.map((c) => c.route));
    expect([...Object.keys(PASSED_THROUGH), ...Object.keys(RETRY_REFUSED)].filter((r) => !routes.has(r))).toEqual([]);
  });

  for (const matrix of MUTATING) {
    const actor = triedActor(matrix);
    if (matrix.route in PASSED_THROUGH) {
      it(`${matrix.route} passes the key through: ${PASSED_THROUGH[matrix.route]}`, async () => {
        const { first, second, rows } = await sendTwice(matrix, actor ?? "owner");
        expect([replayed(first), replayed(second), rows]).toEqual([null, null, []]);
      });
    } else if (matrix.route in RETRY_REFUSED) {
      it(`${matrix.route} stores its answer; ${RETRY_REFUSED[matrix.route]}`, async () => {
        const { first, second, rows } = await sendTwice(matrix, actor!);
        expect(first.status).toBe(matrix.expected[actor!]);
        expect([second.status, rows.map((r) => r.state)]).toEqual([401, ["done"]]);
      });
    } else {
      it(`${matrix.route} answers a retry with its first answer`, async () => {
        expect(actor, "no actor gets past its gate: list the route above with the reason").toBeDefined();
        const { first, second } = await sendTwice(matrix, actor!);
        expect(first.status, JSON.stringify(first.body)).toBe(matrix.expected[actor!]);
        expect(replayed(first)).toBeNull();
        expect([second.status, second.body, replayed(second)]).toEqual([first.status, first.body, "true"]);
      });
    }
  }
});

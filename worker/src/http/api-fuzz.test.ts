/**
 * Property-based fuzzing of every operation in /openapi.json against the real app (local D1, R2,
 * Queues, the Stripe emulator): path parameters (real fixture ids and anything else), query
 * parameters and bodies generated from each operation's schema and just past it, malformed JSON
 * and wrong content types, each sent anonymously, as an org owner's session and as their API token
 * (and as an operator on operator routes). Signed routes (Stripe webhooks, room callbacks) get
 * fuzzed bodies both unsigned and correctly signed. No answer may be a 5xx, and every 4xx must be
 * the error envelope with a code from shared/errors.ts at that code's status.
 *
 * Seeded: PLAZA_FUZZ_SEED=<n> replays a run (the seed is printed with any failure).
 */
import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ERROR_STATUS } from "../../../shared/errors";
import { TOKEN_SCOPES } from "../../../shared/roles";
import { RoomAdmissionRequestSchema, RoomEventsBodySchema, signRoomRequest } from "../../../shared/room-callbacks";
import { truncateText } from "../../../shared/text";
import { publishedItem } from "../../test/catalog-api";
import { createOrg, createUser, makeOperator, PASSWORD, type TestUser } from "../../test/fixtures";
import { call } from "../../test/http";
import { buy, onboardSeller, signatureFor, stripeEventsSettled } from "../../test/payments";
import { createProject, documentWith, roomCall } from "../../test/rooms";
import {
  craftedCursor,
  EDGE_NUMBER_STRINGS,
  EDGE_STRINGS,
  type JsonSchema,
  nearMissValue,
  type SchemaContext,
  validValue,
} from "../../test/schema-arbitrary";
import { scriptedRoom } from "../../test/scripted-room";
import { endpointReceiving } from "../../test/webhook-endpoint";

const worker = (exports as unknown as { default: Fetcher }).default;

/** Runs per operation: sized so the file stays well under a minute on a busy 2-core machine (PLAZA_FUZZ_RUNS=<n> for a deeper run). */
const RUNS_PER_OPERATION = Number((env as unknown as { PLAZA_FUZZ_RUNS?: string }).PLAZA_FUZZ_RUNS) || 5;
/** A guard against a hang, not the budget: an operation that needs longer than this fails. */
const OPERATION_TIME_LIMIT_MS = 20_000;
const seed = Number((env as unknown as { PLAZA_FUZZ_SEED?: string }).PLAZA_FUZZ_SEED) || Date.now() % 2 ** 31;
fc.configureGlobal({ seed, numRuns: RUNS_PER_OPERATION, endOnFailure: true });

interface Operation {
  method: string;
  path: string;
  parameters: { name: string; in: "path" | "query" | "header"; required?: boolean; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  security?: unknown[];
}

const spec = (await call("GET", "/openapi.json")).body as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
};
const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
);
const schemas: SchemaContext = { resolve: (ref) => spec.components.schemas[ref.replace("#/components/schemas/", "")]! };

// ---- who calls, and the real ids they can name ----

type Actor = "anon" | "session" | "apiToken" | "operator";
const tokens: Record<Exclude<Actor, "anon">, string> = { session: "", apiToken: "", operator: "" };
/** Real values for parameters by name (path ids, and query values like `q`), from the fixtures below. */
const realValues: Record<string, string[]> = {};
let owner: TestUser;
let operator: TestUser;

const addIds = (name: string, ...ids: (string | undefined)[]) => {
  realValues[name] = [...(realValues[name] ?? []), ...ids.filter((id): id is string => Boolean(id))];
};

async function newApiToken() {
  const res = await call("POST", "/v1/me/tokens", { token: tokens.session, body: { name: "fuzz", scopes: [...TOKEN_SCOPES] } });
  if (res.status !== 201) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
  addIds("tokenId", res.body.id);
  return res.body.token as string;
}

async function login(user: TestUser) {
  const res = await call("POST", "/v1/auth/login", {
    body: { email: user.email, password: PASSWORD },
    headers: { "cf-connecting-ip": "198.51.100.250" },
  });
  if (res.status !== 200) throw new Error(`login of ${user.email}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken as string;
}

/** Fuzzed logouts, session and token revocations may end the actors' credentials: new ones before each operation. */
async function keepActorsSignedIn() {
  if ((await call("GET", "/v1/me", { token: tokens.session })).status === 401) tokens.session = await login(owner);
  if ((await call("GET", "/v1/me", { token: tokens.apiToken })).status === 401) tokens.apiToken = await newApiToken();
  if ((await call("GET", "/v1/me", { token: tokens.operator })).status === 401) tokens.operator = await login(operator);
}

beforeAll(async () => {
  [owner, operator] = await Promise.all([createUser("fuzz-owner"), createUser("fuzz-operator")]);
  await makeOperator(operator);
  tokens.session = owner.accessToken;
  tokens.operator = operator.accessToken;
  tokens.apiToken = await newApiToken();
  const org = await createOrg(owner);
  addIds("orgId", org.id);
  addIds("userId", owner.id, operator.id);
  await onboardSeller(owner, org.id);

  const item = await publishedItem(owner, org.id, {
    slug: `fuzz-${Date.now().toString(36)}`,
    name: "Fuzz target",
    pricing: { model: "one_time", amount: 1900, currency: "usd" },
  });
  addIds("itemId", item.id);
  addIds("slug", item.slug);
  addIds("itemSlug", item.slug);
  addIds("version", "1.0.0");
  addIds("engine", "1.0.0");
  addIds("q", "fuzz", "target");
  const upload = await call("POST", `/v1/items/${item.slug}/uploads`, {
    token: tokens.session,
    body: {
      version: "1.1.0",
      manifest: {
        name: item.slug,
        version: "1.1.0",
        entry: "dist/index.js",
        permissions: [],
        engines: { plaza: "^1.0.0" },
        dependencies: {},
      },
      sha256: "0".repeat(64),
      size: 10,
    },
  });
  addIds("uploadId", upload.body?.id);

  // A real sale, so refunds and the buyer's routes reach Stripe (the emulator) for real.
  const buyer = await createUser("fuzz-buyer");
  const sale = await buy(item.slug, { buyer });
  addIds("checkoutId", sale.checkoutId);
  await stripeEventsSettled();
  const orders = await call("GET", `/v1/orgs/${org.id}/orders`, { token: tokens.session });
  addIds("orderId", ...orders.body.data.map((o: { id: string }) => o.id));
  // The buyer's entitlement (operators may revoke it), license, and the mail the sale sent.
  const ids = async (path: string, token: string) =>
    ((await call("GET", path, { token })).body.data as { id: string }[]).map((row) => row.id);
  addIds("entitlementId", ...(await ids("/v1/me/entitlements", buyer.accessToken)));
  addIds("licenseId", ...(await ids("/v1/me/licenses", buyer.accessToken)));
  addIds("mailId", ...(await ids("/v1/operator/mail?status=sent", tokens.operator)));

  const project = await createProject(owner, org.id);
  addIds("projectId", project.body.id);
  addIds("roomId", project.body.id);
  scriptedRoom(project.body.id, documentWith("fuzz"));
  const snapshot = await roomCall("POST", `/v1/rooms/${project.body.id}/snapshots`, documentWith("fuzz snapshot"));
  addIds("snapshotId", ((await snapshot.json()) as { id: string }).id);
  addIds("name", "notes.txt");

  await endpointReceiving(org.id, tokens.session, "fuzz");
  const endpoints = await call("GET", `/v1/orgs/${org.id}/webhooks/endpoints`, { token: tokens.session });
  addIds("endpointId", ...endpoints.body.data.map((e: { id: string }) => e.id));
  const messages = await call("GET", `/v1/orgs/${org.id}/webhooks/messages`, { token: tokens.session });
  addIds("eventId", ...messages.body.data.map((m: { id: string }) => m.id));

  const invite = await call("POST", `/v1/orgs/${org.id}/invites`, {
    token: tokens.session,
    body: { email: "fuzz-invitee@example.test", role: "member" },
  });
  addIds("inviteId", invite.body?.id);
  // Another session of the owner's, so a fuzzed revocation of "a real session" does not end the actor's own.
  await login(owner);
  const sessions = await call("GET", "/v1/me/sessions", { token: tokens.session });
  addIds("sessionId", ...sessions.body.data.filter((s: { current: boolean }) => !s.current).map((s: { id: string }) => s.id));
}, 120_000);

// ---- requests ----

interface FuzzRequest {
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  body?: Uint8Array;
  /** How the body is signed, for the routes that take a signature instead of a login. */
  signing: "none" | "stripe" | "stripe-connect" | "room" | "garbage";
}

const encoder = new TextEncoder();
const text = (value: unknown) => (typeof value === "string" ? value : (JSON.stringify(value) ?? ""));
/** A header value as fetch can send it: printable ASCII (workerd re-encodes anything else, with a warning per request). */
const headerValue = (value: string) => value.replace(/[^\x20-\x7e]/g, "?");

/** A URL carries UTF-8, which has no lone surrogates: a client sends U+FFFD for one. */
const wellFormed = (value: string) => value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

/** Path segments sent as they are, not encoded: broken percent-escapes and dot segments. */
const RAW_SEGMENTS = ["%E0%A4%A", "%", "%zz", "%00", "%FF", "%C0%AF", "%2F", ".", "..", "%2e%2e"];

type Parameter = Operation["parameters"][number];

/** How a value goes on the wire: path segments percent-encoded, header values as raw bytes, query values as they are (the URL encodes them). */
const onTheWire = (p: Parameter, value: string) =>
  p.in === "path" ? encodeURIComponent(wellFormed(value)) || "x" : p.in === "header" ? headerValue(value) : value;

/**
 * A parameter as a well-behaved client sends it: mostly a real value where the fixtures have one
 * (an id in a path, a word of an item's name as `q`), else a value the schema allows.
 */
function validParameter(p: Parameter): fc.Arbitrary<string> {
  const real = realValues[p.name] ?? [];
  const generated = validValue(p.schema, schemas).map(text);
  const value =
    real.length === 0
      ? generated
      : p.in === "path"
        ? fc.constantFrom(...real)
        : fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...real) }, { weight: 1, arbitrary: generated });
  return value.map((v) => onTheWire(p, v));
}

/** A parameter just past what its schema allows, or something else entirely: crafted cursors for cursors, raw bytes in a path. */
function faultyParameter(p: Parameter): fc.Arbitrary<string> {
  const values =
    p.name === "cursor"
      ? fc.oneof({ weight: 3, arbitrary: craftedCursor() }, { weight: 1, arbitrary: nearMissValue(p.schema, schemas).map(text) })
      : fc.oneof(
          { weight: 3, arbitrary: nearMissValue(p.schema, schemas).map(text) },
          { weight: 1, arbitrary: fc.constantFrom(...EDGE_STRINGS, ...EDGE_NUMBER_STRINGS) },
        );
  const wire = values.map((value) => onTheWire(p, value));
  return p.in === "path" ? fc.oneof({ weight: 4, arbitrary: wire }, { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) }) : wire;
}

/** JSON no schema allows, and JSON.parse pitfalls: numbers past double, deep nesting, __proto__. */
const RAW_JSON = [
  "",
  "{",
  "}",
  "null",
  "[]",
  "0",
  '"x"',
  "true",
  '{"a":1e999}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  `${"[".repeat(5000)}${"]".repeat(5000)}`,
  "\ufeff{}",
  '{"a":"\\ud800"}',
  "{'a':1}",
  "NaN",
];

function jsonBody(schema: JsonSchema, faulty: boolean): fc.Arbitrary<Uint8Array> {
  const json = (value: fc.Arbitrary<unknown>) => value.map((v) => JSON.stringify(v) ?? "");
  if (!faulty) return json(validValue(schema, schemas)).map((text) => encoder.encode(text));
  // A valid body with its first number pushed past a double (JSON.parse reads 1e999 as Infinity).
  const overflowed = json(validValue(schema, schemas)).map((text) => text.replace(/:(-?\d+(?:\.\d+)?)(?=[,}])/, ":1e999"));
  return fc
    .oneof(
      { weight: 6, arbitrary: json(nearMissValue(schema, schemas)) },
      { weight: 1, arbitrary: overflowed },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_JSON) },
    )
    .map((text) => encoder.encode(text));
}

/** Bodies for the Stripe webhook routes: event-shaped objects with fields dropped or wrong, and anything else. */
function stripeEventBody(): fc.Arbitrary<Uint8Array> {
  const id = fc.oneof(
    fc.stringMatching(/^evt_[A-Za-z0-9]{8,30}$/),
    fc.constantFrom<unknown>(null, 12, "", "x".repeat(5000), {}, EDGE_STRINGS[4]),
  );
  const type = fc.constantFrom<unknown>(
    "checkout.session.completed",
    "charge.refunded",
    "account.updated",
    "payout.paid",
    "invoice.paid",
    "customer.subscription.updated",
    "radar.early_fraud_warning.created",
    "",
    null,
    7,
    { a: 1 },
  );
  const object = fc.oneof(
    fc.record(
      {
        id: fc.oneof(fc.stringMatching(/^(ch|cs_test|in|sub|acct|po)_[A-Za-z0-9]{8,20}$/), fc.constantFrom<unknown>(null, 1, "")),
        object: fc.string({ maxLength: 20 }),
        amount: fc.oneof(fc.integer(), fc.constantFrom<unknown>(1e300, -1, "1")),
        currency: fc.constantFrom<unknown>("usd", "", null, 3),
      },
      { requiredKeys: [] },
    ),
    fc.constantFrom<unknown>(null, [], "x", 1),
  );
  const event = fc.record(
    {
      id,
      object: fc.constantFrom<unknown>("event", "charge", null),
      type,
      account: fc.oneof(fc.stringMatching(/^acct_[A-Za-z0-9]{8,20}$/), fc.constantFrom<unknown>(null, 5)),
      created: fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }), fc.constantFrom<unknown>(1e300, -1, "now")),
      data: fc.oneof(fc.record({ object }), fc.constantFrom<unknown>(null, {}, [])),
    },
    { requiredKeys: [] },
  );
  return fc
    .oneof(
      { weight: 4, arbitrary: event.map((e) => JSON.stringify(e)) },
      { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v) ?? "") },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_JSON) },
    )
    .map((json) => encoder.encode(json));
}

/** Signed room callback bodies are not in the spec (the routes read them after the signature): their schemas come from zod. */
const SIGNED_ROOM_BODIES: Record<string, JsonSchema> = {
  "/v1/rooms/{roomId}/events": z.toJSONSchema(RoomEventsBodySchema) as JsonSchema,
  "/v1/rooms/{roomId}/admissions": z.toJSONSchema(RoomAdmissionRequestSchema) as JsonSchema,
};

type Body = { body?: Uint8Array; contentType?: string };

/** A body the operation takes or, when `faulty`, one it should refuse: past its schema, not JSON, mistyped or missing. */
function bodyFor(op: Operation, faulty: boolean): fc.Arbitrary<Body> {
  const asJson = (body: Uint8Array): Body => ({ body, contentType: "application/json" });
  if (op.path.startsWith("/v1/stripe/")) return stripeEventBody().map(asJson);
  const signedRoomBody = SIGNED_ROOM_BODIES[op.path];
  if (signedRoomBody) return jsonBody(signedRoomBody, faulty).map(asJson);
  const content = op.requestBody?.content ?? {};
  const types = Object.keys(content);
  if (types.length === 0) return faulty ? jsonBody({}, true).map(asJson) : fc.constant({});
  const typed = types.map((type) =>
    type === "application/json"
      ? jsonBody(content[type]!.schema, faulty).map(asJson)
      : fc
          .oneof(
            fc.uint8Array({ maxLength: 4096 }),
            fc.constant(documentWith("fuzzed bytes")),
            ...(faulty ? [fc.constant(new Uint8Array())] : []),
          )
          .map((body) => ({ body, contentType: type === "*/*" ? "application/octet-stream" : type })),
  );
  const body = typed.length === 1 ? typed[0]! : fc.oneof(...typed);
  if (!faulty) return body;
  const wrongType = fc.constantFrom(
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/json; charset=utf-16",
    "",
    "image/png",
  );
  const mistyped = fc.tuple(body, wrongType).map(([b, contentType]) => ({ ...b, contentType }));
  return fc.oneof({ weight: 4, arbitrary: body }, { weight: 1, arbitrary: mistyped }, { weight: 1, arbitrary: fc.constant({}) });
}

function signingFor(op: Operation): fc.Arbitrary<FuzzRequest["signing"]> {
  if (op.path === "/v1/stripe/webhooks") return fc.constantFrom("stripe", "stripe", "none", "garbage");
  if (op.path === "/v1/stripe/connect-webhooks") return fc.constantFrom("stripe-connect", "stripe-connect", "none", "garbage");
  if (op.path.startsWith("/v1/rooms/")) return fc.constantFrom("room", "room", "none", "garbage");
  return fc.constant("none");
}

/**
 * One request with at most one fault: every parameter and the body as a client that reads the
 * spec sends them, except one of them (or none) faulty, so each fault reaches the code behind the
 * validation of everything else.
 */
function requestFor(op: Operation): fc.Arbitrary<FuzzRequest> {
  const params = (op.parameters ?? []).filter((p) => p.name !== "stripe-signature");
  const BODY = params.length;
  // Which part is faulty: any parameter (cursors, the likeliest to reach SQL as sent, more often), the body, or none.
  const target = fc.oneof(
    ...params.map((p, i) => ({ weight: p.name === "cursor" ? 6 : 1, arbitrary: fc.constant(i) })),
    { weight: 2, arbitrary: fc.constant(BODY) },
    { weight: 1, arbitrary: fc.constant(BODY + 1) },
  );
  return target
    .chain((fault) => {
      // Cursors come from a previous page, so a valid request has none: every cursor sent is crafted.
      const values = params.map((p, i) =>
        i === fault
          ? faultyParameter(p)
          : p.name === "cursor"
            ? fc.constant(null)
            : p.required || p.in === "path"
              ? validParameter(p)
              : fc.option(validParameter(p), { freq: 2 }),
      );
      return fc.record({ values: fc.tuple(...values), body: bodyFor(op, fault === BODY), signing: signingFor(op) });
    })
    .map(({ values, body, signing }) => {
      let path = op.path;
      const query: [string, string][] = [];
      const headers: Record<string, string> = {};
      params.forEach((p, i) => {
        const value = values[i];
        if (value === null || value === undefined) return;
        if (p.in === "path") path = path.replace(`{${p.name}}`, value);
        else if (p.in === "query") query.push([p.name, value]);
        else headers[p.name] = value;
      });
      if (body.contentType !== undefined) headers["content-type"] = body.contentType;
      return { path, query, headers, body: body.body, signing };
    });
}

async function signed(request: FuzzRequest, method: string, url: URL): Promise<Record<string, string>> {
  const body = request.body ?? new Uint8Array();
  switch (request.signing) {
    case "stripe":
    case "stripe-connect":
      return { "stripe-signature": await signatureFor(new TextDecoder().decode(body), { connect: request.signing === "stripe-connect" }) };
    case "room":
      return signRoomRequest(env.ROOM_TOKEN_SECRET, method, url.pathname, body);
    case "garbage":
      return { "stripe-signature": "t=1,v1=00", "x-plaza-room-timestamp": String(Date.now()), "x-plaza-room-signature": "v1,AAAA" };
    default:
      return {};
  }
}

function actorsFor(op: Operation): Actor[] {
  if (op.path.startsWith("/v1/operator/")) return ["anon", "session", "operator"];
  return op.security?.length ? ["anon", "session", "apiToken"] : ["anon", "session"];
}

const describeBody = (body?: Uint8Array) => (body ? truncateText(new TextDecoder().decode(body), 600) : "(none)");

/** The answer's text; an event stream (it follows for a minute) only up to its first chunk, then cancelled. */
async function answerText(res: Response) {
  if (!res.headers.get("content-type")?.startsWith("text/event-stream")) return res.text();
  const reader = res.body!.getReader();
  const { value } = await reader.read();
  await reader.cancel();
  return new TextDecoder().decode(value);
}

async function send(op: Operation, request: FuzzRequest, actor: Actor) {
  const url = new URL(`http://plaza.test${request.path}`);
  for (const [name, value] of request.query) url.searchParams.append(name, value);
  const headers: Record<string, string> = {
    "cf-connecting-ip": "203.0.113.99",
    ...request.headers,
    ...(await signed(request, op.method, url)),
  };
  if (actor !== "anon") headers.authorization = `Bearer ${tokens[actor]}`;
  const res = await worker.fetch(url, {
    method: op.method,
    headers,
    body: op.method === "GET" ? undefined : (request.body as BufferSource | undefined),
  });
  const responseText = await answerText(res);
  const describe = () =>
    [
      `${op.method} ${op.path} as ${actor} (seed ${seed}; replay with PLAZA_FUZZ_SEED=${seed})`,
      `request: ${op.method} ${url.pathname}${url.search}`,
      `  headers: ${JSON.stringify({ ...headers, authorization: headers.authorization && "Bearer …" })}`,
      `  body: ${describeBody(request.body)}`,
      `response: ${res.status} ${truncateText(responseText, 1000)}`,
    ].join("\n");
  if (res.status >= 500) throw new Error(`5xx answer\n${describe()}`);
  if (res.status >= 400) {
    let code: unknown;
    try {
      const parsed = JSON.parse(responseText) as { error?: { code?: unknown; message?: unknown; requestId?: unknown } };
      code = parsed.error?.code;
      if (typeof parsed.error?.message !== "string" || typeof parsed.error.requestId !== "string") code = undefined;
    } catch {
      code = undefined;
    }
    if (typeof code !== "string" || !(code in ERROR_STATUS)) throw new Error(`4xx without the error envelope\n${describe()}`);
    if (ERROR_STATUS[code as keyof typeof ERROR_STATUS] !== res.status)
      throw new Error(
        `code ${code} answered with ${res.status}, not its status ${ERROR_STATUS[code as keyof typeof ERROR_STATUS]}\n${describe()}`,
      );
  }
}

// Operations that end something the others use (tokens, projects, endpoints) go last, and logout
// (the session actor's own session) last of all: fuzzed password changes may have used up the
// owner's login attempts, so a new session could not be had.
const rank = (op: Operation) => (op.path === "/v1/auth/logout" ? 2 : op.method === "DELETE" || op.path.endsWith("/revoke") ? 1 : 0);
const ordered = [...operations].sort((a, b) => rank(a) - rank(b));

describe(`every operation in /openapi.json, fuzzed (seed ${seed})`, () => {
  it("covers the whole spec", () => {
    expect(ordered.length).toBe(operations.length);
    expect(operations.length).toBeGreaterThan(100);
  });

  for (const op of ordered) {
    it(`${op.method} ${op.path} never answers 5xx, and its 4xx are error envelopes`, async () => {
      await keepActorsSignedIn();
      const actors = actorsFor(op);
      await fc.assert(
        fc.asyncProperty(requestFor(op), async (request) => {
          for (const actor of actors) await send(op, request, actor);
        }),
        { plugins: [fc.interruptAfterTimeLimit(OPERATION_TIME_LIMIT_MS, { failOnInterrupt: true })] },
      );
    });
  }
});

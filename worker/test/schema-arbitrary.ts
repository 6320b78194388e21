/**
 * JSON Schema (as /openapi.json writes it) → fast-check arbitraries for the API fuzz test: values
 * that satisfy the schema, and near-misses that almost do (one bound past, the wrong type, an
 * extra field, an emoji split at a length limit). Covers what the spec uses: $ref, type (and type
 * lists), enum, const, format, minimum/maximum, minLength/maxLength, pattern, items with
 * minItems/maxItems, properties with required and additionalProperties, oneOf and anyOf.
 */
import fc from "fast-check";

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  default?: unknown;
};

const EMOJI = "😀";

/** Numbers that broke or nearly broke something somewhere: bounds of int32/int64/safe integers, -0, huge and tiny. */
export const EDGE_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  1.5,
  -1.5,
  2 ** 31,
  2 ** 32,
  -(2 ** 31) - 1,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  2 ** 53 + 2,
  2 ** 63,
  -(2 ** 63),
  2 ** 64,
  1e15,
  8.64e15,
  1e21,
  1e300,
  -1e300,
  5e-324,
];

/** Numbers as a query string or a careless client writes them. */
export const EDGE_NUMBER_STRINGS = [
  "NaN",
  "Infinity",
  "-Infinity",
  "-0",
  "1e300",
  "1e999",
  "9".repeat(400),
  "9223372036854775808",
  "0x10",
  "1_000",
  " 5",
  "5 ",
  "",
  "1.5",
  "+1",
  "2e1",
  "0001",
  "null",
  "true",
  "[]",
];

/** Lengths Plaza cuts text at somewhere (room names, user agents, errors, Stripe metadata, cursors). */
const CUT_LENGTHS = [8, 10, 16, 30, 32, 64, 100, 120, 128, 200, 255, 256, 300, 450, 500, 1000];

/** Strings that end (or straddle) a cut length with a surrogate pair, so a cut in code units splits it. */
function emojiAtBoundaries(maxLength?: number): string[] {
  const out: string[] = [];
  for (const n of CUT_LENGTHS) {
    if (maxLength !== undefined && n > maxLength + 2) continue;
    out.push(`${"a".repeat(n - 1)}${EMOJI}`, `${"a".repeat(n - 2)}${EMOJI}`, `${"a".repeat(n - 1)}${EMOJI}tail`);
  }
  return out;
}

export const EDGE_STRINGS = [
  "",
  " ",
  "\u0000",
  "\ud800",
  "\udfff",
  `${EMOJI}`,
  "e\u0301",
  "‮rtl",
  "%00",
  "%E0%A4%A",
  "../..",
  "a/b",
  "\\",
  "'; DROP TABLE users; --",
  "<script>",
  "null",
  "undefined",
  "0",
  "-1",
  "1e300",
  "\n\r\t",
];

/** JSON number literals (and not-numbers) for cursor fields, written as text so 1e300 and 2^63 stay as a client sends them. */
const CURSOR_NUMBERS = ["1e300", "-1e300", "9223372036854775808", "9007199254740993", "1e999", "0.5", "-1", "null", '"1"'];

/**
 * Cursors a client could forge, base64 or base64url: one of the shapes Plaza's cursors have
 * (search's relevance and keyed plans, the keyset's `createdAt:id`) with one field replaced by an
 * edge number or dropped, and JSON that is not a cursor at all.
 */
export function craftedCursor(): fc.Arbitrary<string> {
  // One field edged (or dropped), or every number in it the same edge.
  const json = (fields: [string, string][]) =>
    fc.tuple(fc.nat(fields.length), fc.constantFrom(...CURSOR_NUMBERS, "")).map(([i, edge]) => {
      const edged = (j: number, value: string) => (i === fields.length ? /^\d/.test(value) : j === i);
      const parts = fields.map(([name, value], j) => (!edged(j, value) ? `"${name}":${value}` : edge === "" ? "" : `"${name}":${edge}`));
      return `{${parts.filter(Boolean).join(",")}}`;
    });
  const relevance = json([
    ["block", "0"],
    ["index", "0"],
    ["plan", '"relevance"'],
  ]);
  const keyed = fc.constantFrom('"downloads"', '"rating"', '"newest"').chain((sort) =>
    json([
      ["key", "1"],
      ["seq", "1"],
      ["sort", sort],
      ["plan", '"keyed"'],
    ]),
  );
  const keyset = fc
    .tuple(
      fc.constantFrom(...CURSOR_NUMBERS, "9".repeat(400), "1"),
      fc.constantFrom("usr_aaaaaaaaaaaaaaaaaaaa", "evt_aaaaaaaaaaaaaaaaaaaa", "", "x:y", EMOJI, "x".repeat(150)),
    )
    .map(([at, id]) => `${at}:${id}`);
  const notACursor = fc.constantFrom("null", "[]", "{}", '"x"', "1e300", "{");
  const b64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
  const text = fc.oneof(
    { weight: 2, arbitrary: relevance },
    { weight: 2, arbitrary: keyed },
    { weight: 1, arbitrary: keyset },
    { weight: 1, arbitrary: notACursor },
  );
  return fc.tuple(text, fc.boolean()).map(([t, url]) => {
    const encoded = b64(t).replace(/=+$/, "");
    return url ? encoded.replaceAll("+", "-").replaceAll("/", "_") : encoded;
  });
}

export interface SchemaContext {
  /** Resolves `#/components/schemas/X`. */
  resolve(ref: string): JsonSchema;
}

const types = (schema: JsonSchema): string[] => (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []);

function deref(schema: JsonSchema, ctx: SchemaContext): JsonSchema {
  let s = schema;
  for (let i = 0; s.$ref && i < 10; i++) s = ctx.resolve(s.$ref);
  return s;
}

/** A regex fast-check can generate from; lookarounds are dropped (they only narrow the match). */
function generatable(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern.replace(/\(\?[!=][^)]*\)/g, ""));
  } catch {
    return undefined;
  }
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const { minLength = 0, maxLength } = schema;
  if (schema.format === "email")
    return fc.emailAddress().filter((e) => e.length >= minLength && (maxLength === undefined || e.length <= maxLength));
  const regex = schema.pattern ? generatable(schema.pattern) : undefined;
  if (regex)
    return fc
      .stringMatching(regex, { size: "small" })
      .filter((s) => s.length >= minLength && (maxLength === undefined || s.length <= maxLength));
  const bounded = Math.min(maxLength ?? 200, 200);
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ minLength: Math.min(minLength, bounded), maxLength: bounded }) },
    { weight: 2, arbitrary: fc.string({ minLength: Math.min(minLength, bounded), maxLength: bounded, unit: "grapheme" }) },
    { weight: 1, arbitrary: fc.string({ minLength: Math.min(minLength, bounded), maxLength: bounded, unit: "binary" }) },
  );
}

/** Integers or numbers within the schema's bounds, its bounds themselves included. */
function numberArbitrary(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (integer ? 1 : Number.EPSILON) : schema.minimum;
  const max = schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (integer ? 1 : Number.EPSILON) : schema.maximum;
  const lo = Math.max(min ?? Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER);
  const hi = Math.min(max ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const inRange = integer
    ? fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) })
    : fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
  const bounds = [lo, hi, ...(integer ? [] : [0.5])].filter((n) => n >= lo && n <= hi);
  return fc.oneof({ weight: 3, arbitrary: inRange }, { weight: 1, arbitrary: fc.constantFrom(...bounds) });
}

/** Values that satisfy `schema` (as far as the spec says: refinements are not in it). */
export function validValue(schema: JsonSchema, ctx: SchemaContext, depth = 0): fc.Arbitrary<unknown> {
  const s = deref(schema, ctx);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.oneOf || s.anyOf) return fc.oneof(...(s.oneOf ?? s.anyOf)!.map((option) => validValue(option, ctx, depth + 1)));
  const options = types(s).map((type): fc.Arbitrary<unknown> => {
    switch (type) {
      case "string":
        return stringArbitrary(s);
      case "integer":
        return numberArbitrary(s, true);
      case "number":
        return numberArbitrary(s, false);
      case "boolean":
        return fc.boolean();
      case "null":
        return fc.constant(null);
      case "array":
        return fc.array(s.items ? validValue(s.items, ctx, depth + 1) : fc.jsonValue({ maxDepth: 2 }), {
          minLength: s.minItems ?? 0,
          maxLength: Math.min(s.maxItems ?? 5, depth > 2 ? 1 : 5),
        });
      default:
        return objectArbitrary(s, ctx, depth);
    }
  });
  if (options.length === 0) return s.properties ? objectArbitrary(s, ctx, depth) : fc.jsonValue({ maxDepth: 2 });
  return options.length === 1 ? options[0]! : fc.oneof(...options);
}

function objectArbitrary(s: JsonSchema, ctx: SchemaContext, depth: number): fc.Arbitrary<unknown> {
  const properties = s.properties ?? {};
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) model[name] = validValue(property, ctx, depth + 1);
  const record = fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in properties) });
  if (s.additionalProperties && typeof s.additionalProperties === "object") {
    return fc
      .tuple(record, fc.dictionary(fc.string({ maxLength: 10 }), validValue(s.additionalProperties, ctx, depth + 1), { maxKeys: 3 }))
      .map(([r, extra]) => ({ ...extra, ...r }));
  }
  return record;
}

/** A value near `schema`'s edges or just past them: the inputs that find missing bounds. */
export function nearMissValue(schema: JsonSchema, ctx: SchemaContext, depth = 0): fc.Arbitrary<unknown> {
  const s = deref(schema, ctx);
  const wrongType = fc.constantFrom<unknown>(null, true, 0, -1, 1e300, "", "x", [], {}, [null], { "": 1 });
  if (s.oneOf || s.anyOf) return fc.oneof(...(s.oneOf ?? s.anyOf)!.map((option) => nearMissValue(option, ctx, depth + 1)), wrongType);
  if (s.enum || s.const !== undefined)
    return fc.oneof(
      fc.constantFrom<unknown>(...EDGE_STRINGS),
      wrongType,
      fc.constantFrom(...(s.enum ?? [s.const])).map((v) => (typeof v === "string" ? `${v} ` : v)),
    );
  const t = types(s);
  if (t.includes("string")) {
    const { minLength = 0, maxLength } = s;
    const lengths = [minLength - 1, minLength, ...(maxLength === undefined ? [1000, 100_000] : [maxLength, maxLength + 1])].filter(
      (n) => n >= 0,
    );
    return fc.oneof(
      fc.constantFrom(...lengths).map((n) => "a".repeat(n)),
      fc.constantFrom(...lengths).map((n) => EMOJI.repeat(Math.ceil(n / 2))),
      fc.constantFrom(...emojiAtBoundaries(maxLength)),
      fc.constantFrom(...EDGE_STRINGS),
      s.pattern ? patternNearMiss(s) : fc.string({ unit: "binary", maxLength: 40 }),
      wrongType,
    );
  }
  if (t.includes("integer") || t.includes("number")) {
    const bounds = [s.minimum, s.maximum, s.exclusiveMinimum, s.exclusiveMaximum].filter((n): n is number => n !== undefined);
    const around = bounds.flatMap((n) => [n - 1, n, n + 1, n - 0.5, n + 0.5]);
    return fc.oneof(fc.constantFrom(...EDGE_NUMBERS, ...around), fc.constantFrom(...EDGE_NUMBER_STRINGS), wrongType);
  }
  if (t.includes("array")) {
    const item = s.items
      ? fc.oneof(validValue(s.items, ctx, depth + 1), nearMissValue(s.items, ctx, depth + 1))
      : fc.jsonValue({ maxDepth: 1 });
    const over = (s.maxItems ?? 20) + 1;
    return fc.oneof(
      fc.array(item, { maxLength: 4 }),
      fc.constant([]),
      item.map((v) => Array.from({ length: Math.min(over, 1001) }, () => v)),
      wrongType,
    );
  }
  if (t.includes("boolean")) return fc.oneof(fc.constantFrom<unknown>("true", 1, 0, "false"), wrongType);
  if (t.includes("object") || s.properties) {
    if (depth > 3) return wrongType;
    const names = Object.keys(s.properties ?? {});
    const base = validValue(s, ctx, depth + 1) as fc.Arbitrary<Record<string, unknown>>;
    if (names.length === 0) return fc.oneof(base, wrongType);
    // One field replaced by a near-miss, or dropped, or an unknown field added.
    return fc.oneof(
      fc
        .tuple(base, fc.constantFrom(...names))
        .chain(([value, name]) => nearMissValue(s.properties![name]!, ctx, depth + 1).map((bad) => ({ ...value, [name]: bad }))),
      fc.tuple(base, fc.constantFrom(...names)).map(([value, name]) => {
        const { [name]: _dropped, ...rest } = value;
        return rest;
      }),
      base.map((value) => ({ ...value, unexpected: "field" })),
      wrongType,
    );
  }
  return wrongType;
}

/** A string that fits the pattern but for one character, or has a valid prefix and garbage after. */
function patternNearMiss(s: JsonSchema): fc.Arbitrary<string> {
  const regex = generatable(s.pattern!);
  if (!regex) return fc.string();
  const valid = fc.stringMatching(regex, { size: "small" });
  return fc.oneof(
    fc.tuple(valid, fc.constantFrom(EMOJI, "\ud800", "-", "_", " ", "%", "/", "A", "0")).map(([v, c]) => `${v}${c}`),
    fc.tuple(valid, fc.nat()).map(([v, i]) => (v.length ? `${v.slice(0, i % v.length)}${EMOJI}${v.slice((i % v.length) + 1)}` : EMOJI)),
    valid.map((v) => v.toUpperCase()),
    valid.map((v) => v.repeat(20)),
  );
}

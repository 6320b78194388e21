/**
 * Every number a client sends has a schema bound on both sides (in /openapi.json, so clients see
 * it too): a number without one reaches SQL or Date as whatever the client chose, 1e300 included.
 */
import { expect, it } from "vitest";
import { call } from "../../test/http";

type Schema = {
  $ref?: string;
  type?: string | string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: boolean | Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
};
type Operation = {
  parameters?: { in: string; name: string; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
};

it("every integer and number in a request (path, query, header, body) has a minimum and a maximum", async () => {
  const spec = (await call("GET", "/openapi.json")).body as {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, Schema> };
  };
  const unbounded: string[] = [];
  const walk = (schema: Schema, where: string, seen: Set<string>) => {
    if (schema.$ref) {
      const name = schema.$ref.split("/").at(-1)!;
      if (!seen.has(name)) walk(spec.components.schemas[name]!, `${where}→${name}`, new Set([...seen, name]));
      return;
    }
    const types = [schema.type ?? []].flat();
    if (types.includes("integer") || types.includes("number")) {
      if ((schema.minimum ?? schema.exclusiveMinimum) === undefined || (schema.maximum ?? schema.exclusiveMaximum) === undefined)
        unbounded.push(where);
    }
    for (const [name, property] of Object.entries(schema.properties ?? {})) walk(property, `${where}.${name}`, seen);
    if (schema.items) walk(schema.items, `${where}[]`, seen);
    if (typeof schema.additionalProperties === "object") walk(schema.additionalProperties, `${where}{}`, seen);
    for (const option of [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) walk(option, where, seen);
  };
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      for (const p of op.parameters ?? []) walk(p.schema, `${method.toUpperCase()} ${path} ${p.in}.${p.name}`, new Set());
      for (const [type, content] of Object.entries(op.requestBody?.content ?? {}))
        walk(content.schema, `${method.toUpperCase()} ${path} body (${type})`, new Set());
    }
  }
  expect(unbounded).toEqual([]);
});

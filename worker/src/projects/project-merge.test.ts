/** The three-way merge of project fields (shared/project-merge.ts): each rule, then its properties over random edits. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeProjectEdit, type ProjectFieldsT } from "../../../shared/project-merge";

const base: ProjectFieldsT = { name: "Roadmap", memberRole: "write", channel: "stable", state: { theme: "dark", grid: { columns: 12 } } };
const server = (changes: Partial<ProjectFieldsT>): ProjectFieldsT => ({ ...base, ...changes });
const withState = (changes: Record<string, unknown>) => ({ ...base.state, ...changes });

describe("mergeProjectEdit", () => {
  const cases: { rule: string; mine: Partial<ProjectFieldsT>; theirs: ProjectFieldsT; expected: ReturnType<typeof mergeProjectEdit> }[] = [
    {
      rule: "a field I changed that the server did not is mine",
      mine: { name: "Roadmap 2027" },
      theirs: base,
      expected: { merged: { name: "Roadmap 2027" }, conflicts: [] },
    },
    {
      rule: "a field the server changed that I did not stays theirs (not sent again)",
      mine: { channel: "beta" },
      theirs: server({ name: "Plan" }),
      expected: { merged: { channel: "beta" }, conflicts: [] },
    },
    {
      rule: "a field of mine equal to the copy I edited is no change of mine",
      mine: { name: "Roadmap" },
      theirs: server({ name: "Plan" }),
      expected: { merged: {}, conflicts: [] },
    },
    {
      rule: "both changed to equal values: no conflict, nothing to send",
      mine: { memberRole: "read" },
      theirs: server({ memberRole: "read" }),
      expected: { merged: {}, conflicts: [] },
    },
    {
      rule: "both changed differently: a conflict, theirs kept meanwhile",
      mine: { name: "Mine", channel: "beta" },
      theirs: server({ name: "Theirs" }),
      expected: { merged: { channel: "beta" }, conflicts: [{ field: "name", mine: "Mine", theirs: "Theirs" }] },
    },
    {
      rule: "state the server did not change is mine as it is",
      mine: { state: { theme: "light" } },
      theirs: server({ name: "Plan" }),
      expected: { merged: { state: { theme: "light" } }, conflicts: [] },
    },
    {
      rule: "state changed on both sides in different keys merges key by key",
      mine: { state: withState({ theme: "light" }) },
      theirs: server({ state: withState({ grid: { columns: 8 } }) }),
      expected: { merged: { state: { theme: "light", grid: { columns: 8 } } }, conflicts: [] },
    },
    {
      rule: "a key added on each side keeps both",
      mine: { state: withState({ font: "serif" }) },
      theirs: server({ state: withState({ zoom: 2 }) }),
      expected: { merged: { state: withState({ font: "serif", zoom: 2 }) }, conflicts: [] },
    },
    {
      rule: "a key I removed that the server did not touch is removed",
      mine: { state: { grid: { columns: 12 } } },
      theirs: server({ state: withState({ zoom: 2 }) }),
      expected: { merged: { state: { grid: { columns: 12 }, zoom: 2 } }, conflicts: [] },
    },
    {
      rule: "a key both changed differently is a conflict at its path, theirs kept meanwhile",
      mine: { state: withState({ theme: "light", font: "serif" }) },
      theirs: server({ state: withState({ theme: "contrast" }) }),
      expected: {
        merged: { state: withState({ theme: "contrast", font: "serif" }) },
        conflicts: [{ field: "state", path: ["theme"], mine: "light", theirs: "contrast" }],
      },
    },
    {
      rule: "a key I removed that the server changed is a conflict (mine undefined)",
      mine: { state: { grid: { columns: 12 } } },
      theirs: server({ state: withState({ theme: "contrast" }) }),
      expected: { merged: {}, conflicts: [{ field: "state", path: ["theme"], mine: undefined, theirs: "contrast" }] },
    },
    {
      rule: "a key I changed that the server removed is a conflict (theirs undefined)",
      mine: { state: withState({ theme: "light" }) },
      theirs: server({ state: { grid: { columns: 12 } } }),
      expected: { merged: {}, conflicts: [{ field: "state", path: ["theme"], mine: "light", theirs: undefined }] },
    },
    {
      rule: "a key both removed is no conflict",
      mine: { state: { grid: { columns: 12 } } },
      theirs: server({ state: { grid: { columns: 12 }, zoom: 2 } }),
      expected: { merged: {}, conflicts: [] },
    },
    {
      rule: "state of mine equal to the copy I edited is no change of mine",
      mine: { state: { grid: { columns: 12 }, theme: "dark" } },
      theirs: server({ state: { zoom: 2 } }),
      expected: { merged: {}, conflicts: [] },
    },
    {
      rule: "equality is by canonical JSON: the same object in another key order is the same value",
      mine: { state: withState({ grid: { rows: 4, columns: 12 } }) },
      theirs: server({ state: withState({ grid: { columns: 12, rows: 4 } }) }),
      expected: { merged: {}, conflicts: [] },
    },
  ];
  it.each(cases)("$rule", ({ mine, theirs, expected }) => {
    expect(mergeProjectEdit(base, mine, theirs)).toEqual(expected);
  });
});

/** Few names and keys, so random edits often touch the same field or key and collide. */
const jsonValue = fc.oneof(fc.constantFrom(1, "x", null, { a: 1 }), fc.jsonValue({ maxDepth: 2 }));
const state = fc.dictionary(fc.constantFrom("a", "b", "c", "__proto__"), jsonValue, { maxKeys: 4 });
const fieldValues = {
  name: fc.constantFrom("One", "Two", "Three"),
  memberRole: fc.constantFrom("write" as const, "read" as const),
  channel: fc.constantFrom("stable" as const, "beta" as const),
  state,
};
const fields: fc.Arbitrary<ProjectFieldsT> = fc.record(fieldValues);
/** Any subset of the fields: what a person changed. */
const edit: fc.Arbitrary<Partial<ProjectFieldsT>> = fc.record(fieldValues, { requiredKeys: [] });

/** Structural equality, a second way to compare beside the canonical JSON the merge uses. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => k in b && deepEqual((a as never)[k], (b as never)[k]));
}

describe("mergeProjectEdit properties", () => {
  it("with the server unchanged since my copy, merges to my edit unchanged, without conflicts", () => {
    fc.assert(
      fc.property(fields, edit, (b, mine) => {
        expect(mergeProjectEdit(b, mine, b)).toEqual({ merged: mine, conflicts: [] });
      }),
    );
  });

  it("with nothing of mine, merges to nothing, without conflicts", () => {
    fc.assert(
      fc.property(fields, fields, (b, theirs) => {
        expect(mergeProjectEdit(b, {}, theirs)).toEqual({ merged: {}, conflicts: [] });
      }),
    );
  });

  it("reports a conflict exactly where both sides changed a field (or state key) differently", () => {
    fc.assert(
      fc.property(fields, edit, fields, (b, mine, theirs) => {
        const clash = (m: unknown, bv: unknown, t: unknown) => !deepEqual(m, bv) && !deepEqual(t, bv) && !deepEqual(m, t);
        const expected: string[] = [];
        for (const field of ["name", "memberRole", "channel"] as const)
          if (mine[field] !== undefined && clash(mine[field], b[field], theirs[field])) expected.push(field);
        const own = (record: Record<string, unknown>, key: string) => (Object.hasOwn(record, key) ? record[key] : undefined);
        if (mine.state)
          for (const key of new Set([...Object.keys(b.state), ...Object.keys(mine.state), ...Object.keys(theirs.state)]))
            if (clash(own(mine.state, key), own(b.state, key), own(theirs.state, key))) expected.push(`state.${key}`);
        const { merged, conflicts } = mergeProjectEdit(b, mine, theirs);
        const reported = conflicts.map((c) => [c.field, ...(c.path ?? [])].join("."));
        expect(reported.sort()).toEqual(expected.sort());
        // A conflicting field is not sent; it waits for the person's choice.
        for (const c of conflicts) if (c.field !== "state") expect(merged).not.toHaveProperty(c.field);
      }),
    );
  });
});

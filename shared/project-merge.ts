/**
 * Three-way merge of a project's fields (issue #19): an edit made from an older copy (`base`, e.g.
 * queued offline) against the server's copy now (`theirs`). Fields the other side did not touch
 * merge silently; a field both sides changed differently is a conflict for the person to decide.
 * `state` merges per top-level key by the same rules. Pure: used by the web app's mutation queue.
 */
import type { ProjectChannelT, ProjectRoleT } from "./projects";

/** The project fields a PATCH changes and the project's version counts. */
export interface ProjectFieldsT {
  name: string;
  memberRole: ProjectRoleT;
  channel: ProjectChannelT;
  state: Record<string, unknown>;
}

export type ProjectField = keyof ProjectFieldsT;

/**
 * Both sides changed `field` (for `state`, the key at `path`) to different values. A key one side
 * removed has `undefined` there.
 */
export interface ProjectFieldConflict {
  field: ProjectField;
  path?: [string];
  mine: unknown;
  theirs: unknown;
}

export interface ProjectMerge {
  /** What to PATCH next (with the server's version as If-Match); empty when nothing of mine is left to send. */
  merged: Partial<ProjectFieldsT>;
  /**
   * Where the person must choose. `merged` keeps the server's value there meanwhile: the field is
   * left out, and a conflicting `state` key keeps theirs (`merged.state`, or `theirs.state` when no
   * key of mine was merged).
   */
  conflicts: ProjectFieldConflict[];
}

const FIELDS: readonly ProjectField[] = ["name", "memberRole", "channel", "state"];

/** JSON with every object's keys sorted, so equal values compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  // undefined (an absent key) gets a text no JSON value has.
  return JSON.stringify(value) ?? "undefined";
}

/** Deep equality of JSON values by canonical JSON (`undefined`, an absent key, equals only itself). */
export const sameValue = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/** A key's own value: `__proto__` and other inherited names are keys like any other in state JSON. */
const own = (record: Record<string, unknown>, key: string) => (Object.hasOwn(record, key) ? record[key] : undefined);

/** Per top-level key: `theirs` with the keys only I changed (added, set or removed) applied. */
function mergeState(base: Record<string, unknown>, mine: Record<string, unknown>, theirs: Record<string, unknown>) {
  const merged = new Map(Object.entries(theirs));
  const conflicts: ProjectFieldConflict[] = [];
  for (const key of new Set([...Object.keys(base), ...Object.keys(mine), ...Object.keys(theirs)])) {
    const [b, m, t] = [own(base, key), own(mine, key), own(theirs, key)];
    if (sameValue(m, b) || sameValue(m, t)) continue;
    if (!sameValue(t, b)) conflicts.push({ field: "state", path: [key], mine: m, theirs: t });
    else if (m === undefined) merged.delete(key);
    else merged.set(key, m);
  }
  // fromEntries defines each key as its own property (an assignment to `__proto__` would not).
  return { merged: Object.fromEntries(merged), conflicts };
}

/**
 * `mine` holds the fields the person changed from `base`; `theirs` is the server's copy now. A field
 * of mine the server did not change is mine; one the server changed and I did not (absent, or
 * equal to `base`) stays theirs; both changed to equal values is no conflict; both changed
 * differently is a conflict. Equality is by canonical JSON.
 */
export function mergeProjectEdit(base: ProjectFieldsT, mine: Partial<ProjectFieldsT>, theirs: ProjectFieldsT): ProjectMerge {
  const merged: Partial<Record<ProjectField, unknown>> = {};
  const conflicts: ProjectFieldConflict[] = [];
  for (const field of FIELDS) {
    if (mine[field] === undefined) continue;
    const [b, m, t] = [base[field], mine[field], theirs[field]];
    if (sameValue(t, b)) merged[field] = m;
    else if (sameValue(m, b) || sameValue(m, t)) continue;
    else if (field !== "state") conflicts.push({ field, mine: m, theirs: t });
    else {
      const state = mergeState(base.state, mine.state as Record<string, unknown>, theirs.state);
      conflicts.push(...state.conflicts);
      if (!sameValue(state.merged, theirs.state)) merged.state = state.merged;
    }
  }
  return { merged: merged as Partial<ProjectFieldsT>, conflicts };
}

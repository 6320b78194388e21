/**
 * Project settings edits through the mutation queue: each carries the fields the person changed,
 * the copy they changed them from, and `If-Match` with that copy's version. When the server's copy
 * moved meanwhile (412), the edit is merged with it field by field (shared/project-merge.ts):
 * fields only one side changed are kept without asking, and a field both changed differently is
 * held for the person to choose (ProjectConflict below); nothing they typed is dropped silently.
 */
import { mergeProjectEdit, type ProjectFieldConflict, type ProjectFieldsT, sameValue } from "../../../shared/project-merge";
import { projectEtag as etag, type ProjectT } from "../../../shared/projects";
import { authorizedFetch } from "../api/authorized-fetch";
import { type MutationQueue, type Outcome, type QueuedMutation, registerKind } from "./queue";

const KIND = "project-fields";
const FIELDS = ["name", "memberRole", "channel", "state"] as const;

/** A held edit: the server's copy it met, what of mine merged cleanly, and where both changed. */
export interface ProjectConflict {
  theirs: ProjectFieldsT;
  version: number;
  merged: Partial<ProjectFieldsT>;
  conflicts: ProjectFieldConflict[];
}

interface ProjectEditExtra {
  base: ProjectFieldsT;
  conflict?: ProjectConflict;
}

export type ProjectEdit = QueuedMutation<ProjectEditExtra>;

export const projectScope = (projectId: string) => `project:${projectId}`;

export const projectFields = (p: ProjectT): ProjectFieldsT => ({
  name: p.name,
  memberRole: p.memberRole,
  channel: p.channel,
  state: p.state ?? {},
});

/** The fields of `edited` that differ from `base` (and are given). */
export function changedFields(base: ProjectFieldsT, edited: Partial<ProjectFieldsT>): Partial<ProjectFieldsT> {
  const changed: Partial<Record<keyof ProjectFieldsT, unknown>> = {};
  for (const field of FIELDS) if (edited[field] !== undefined && !sameValue(edited[field], base[field])) changed[field] = edited[field];
  return changed as Partial<ProjectFieldsT>;
}

const isEdit = (entry: QueuedMutation, projectId?: string): entry is ProjectEdit =>
  entry.kind === KIND && (projectId === undefined || entry.scope === projectScope(projectId));

/** The project as this device will have it once its queued edits are sent (shown while they wait). */
export function withPendingEdits(project: ProjectT, entries: QueuedMutation[]): ProjectT {
  let shown = project;
  for (const entry of entries) if (isEdit(entry, project.id)) shown = { ...shown, ...(entry.body as Partial<ProjectFieldsT>) };
  return shown;
}

export const heldEdits = (entries: QueuedMutation[], projectId: string): ProjectEdit[] =>
  entries.filter((e): e is ProjectEdit => isEdit(e, projectId) && e.state === "conflict" && !!e.extra?.conflict);

/** Queues the changed fields of `project` (the copy shown, queued edits included). */
export function queueProjectEdit(
  queue: MutationQueue,
  o: { orgId: string; project: ProjectT; changes: Partial<ProjectFieldsT> },
): Promise<Outcome> {
  const extra: ProjectEditExtra = { base: projectFields(o.project) };
  return queue.enqueue({
    kind: KIND,
    scope: projectScope(o.project.id),
    label: `Saving the settings of ${o.project.name}`,
    method: "PATCH",
    path: `/v1/orgs/${o.orgId}/projects/${o.project.id}`,
    body: o.changes,
    ifMatch: etag(o.project.version),
    extra,
  });
}

/**
 * The person's choice per conflict (by index): keep mine, or take theirs. The edit is sent again
 * on top of the server's copy it met; choosing theirs everywhere leaves nothing to send.
 */
export async function resolveProjectConflict(queue: MutationQueue, edit: ProjectEdit, keepMine: boolean[]): Promise<void> {
  const conflict = edit.extra?.conflict;
  if (!conflict || edit.seq === undefined) return;
  const body: Partial<Record<keyof ProjectFieldsT, unknown>> = { ...conflict.merged };
  conflict.conflicts.forEach((c, i) => {
    if (!keepMine[i]) return;
    if (c.field !== "state" || !c.path) {
      body[c.field] = c.mine;
      return;
    }
    const state = { ...((body.state as Record<string, unknown> | undefined) ?? conflict.theirs.state) };
    if (c.mine === undefined) delete state[c.path[0]];
    else state[c.path[0]] = c.mine;
    body.state = state;
  });
  if (Object.keys(body).length === 0) return queue.discard(edit.seq);
  await queue.update(edit.seq, {
    body,
    ifMatch: etag(conflict.version),
    key: crypto.randomUUID(),
    state: "waiting",
    extra: { base: conflict.theirs },
  });
  queue.kick();
}

registerKind(KIND, {
  async onPreconditionFailed(entry) {
    const extra = entry.extra as ProjectEditExtra;
    let theirs: ProjectT;
    try {
      const res = await authorizedFetch(entry.path);
      if (!res.ok) throw new Error(`GET answered ${res.status}`);
      theirs = (await res.json()) as ProjectT;
    } catch (err) {
      // Could not read the server's copy: hold the edit with the reason rather than resend it blindly.
      return {
        action: "conflict",
        change: { error: `The project changed meanwhile and could not be read again: ${(err as Error).message}` },
      };
    }
    const fields = projectFields(theirs);
    const { merged, conflicts } = mergeProjectEdit(extra.base, entry.body as Partial<ProjectFieldsT>, fields);
    if (conflicts.length === 0) {
      if (Object.keys(merged).length === 0) return { action: "drop", body: theirs };
      // A new body needs a new key: the old one is stored with the 412.
      return {
        action: "retry",
        change: { body: merged, ifMatch: etag(theirs.version), key: crypto.randomUUID(), extra: { base: fields } },
      };
    }
    const conflict: ProjectConflict = { theirs: fields, version: theirs.version, merged, conflicts };
    return { action: "conflict", change: { extra: { ...extra, conflict } } };
  },
  // An edit made on top of this one, from the same server version, now follows from the saved copy.
  afterApplied(entry, body, later) {
    const saved = body as ProjectT;
    return later
      .filter((e) => isEdit(e) && e.path === entry.path && e.ifMatch === entry.ifMatch)
      .map((e) => ({ ...e, ifMatch: etag(saved.version) }));
  },
});

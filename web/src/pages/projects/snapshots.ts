/**
 * A project's snapshots, newest first: inspect one's content, take one now, restore one (the
 * room replaces the live document, so everyone editing sees it at once).
 */
import type { SnapshotSummaryT } from "../../../../shared/projects";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import { formatBytes, formatDateTime } from "../../format";
import { projectScope } from "../../offline/project-edits";
import type { MutationQueue } from "../../offline/queue";
import { errorAlert } from "../../ui/alert";
import { busy } from "../../ui/busy";
import { dataTable, row } from "../../ui/table";
import { toast } from "../../ui/toast";

const REASONS: Record<SnapshotSummaryT["reason"], string> = { auto: "Automatic", manual: "On demand", restore: "After a restore" };

/** `canWrite` (the write role) takes and restores snapshots; readers list and inspect them. */
export function snapshotsSection(o: { orgId: string; projectId: string; canWrite: boolean; signal: AbortSignal; queue: MutationQueue }) {
  const { orgId, projectId } = o;
  const snapshotsApi = api.v1.orgs[":orgId"].projects[":projectId"].snapshots;
  /** A page of snapshots, newest first; `cursor` is the previous page's `nextCursor`. */
  const listSnapshots = (cursor?: string) => unwrap(snapshotsApi.$get({ param: { orgId, projectId }, query: { cursor } }));
  const listBody = h("div", { "data-testid": "snapshot-list" });
  const inspector = h("div", { class: "snapshot-inspector", "aria-live": "polite" });
  let snapshots: SnapshotSummaryT[] = [];
  let nextCursor: string | null = null;

  const inspect = async (snapshot: SnapshotSummaryT) => {
    replace(inspector, h("p", { class: "loading", role: "status" }, "Loading snapshot…"));
    try {
      const detail = await unwrap(snapshotsApi[":snapshotId"].$get({ param: { orgId, projectId, snapshotId: snapshot.id } }));
      replace(
        inspector,
        h("h3", {}, `Snapshot of ${formatDateTime(detail.createdAt)}`),
        h("pre", { class: "snapshot-text", "data-testid": "snapshot-text" }, detail.content.text || "(empty document)"),
        h("details", {}, h("summary", {}, "Document structure (JSON)"), h("pre", { class: "snapshot-json" }, detail.content.json)),
      );
    } catch (err) {
      replace(inspector, errorAlert(err));
    }
  };

  const restore = (snapshot: SnapshotSummaryT, button: HTMLButtonElement) =>
    busy(button, async () => {
      if (
        !confirm(
          `Restore the snapshot of ${formatDateTime(snapshot.createdAt)}? The live document is replaced for everyone editing it; the current state is kept as a snapshot first.`,
        )
      )
        return;
      await unwrap(snapshotsApi[":snapshotId"].restore.$post({ param: { orgId, projectId, snapshotId: snapshot.id } }));
      toast(`Restored the snapshot of ${formatDateTime(snapshot.createdAt)}.`);
      await load();
    });

  const render = () => {
    replace(
      listBody,
      dataTable({
        caption: "Snapshots",
        headers: ["Taken", "Why", "Size", ""],
        rows: snapshots.map((s) => {
          const restoreButton: HTMLButtonElement = h(
            "button",
            { type: "button", class: "button small", onclick: () => void restore(s, restoreButton) },
            "Restore",
          );
          return row(
            { "data-snapshot-id": s.id },
            h("span", { class: "nowrap" }, formatDateTime(s.createdAt)),
            REASONS[s.reason] ?? s.reason,
            formatBytes(s.sizeBytes),
            h(
              "div",
              { class: "row-actions" },
              h("button", { type: "button", class: "button small", onclick: () => void inspect(s) }, "Inspect"),
              o.canWrite && restoreButton,
            ),
          );
        }),
        empty: "No snapshots yet. They are taken automatically a few seconds after edits, or now with the button above.",
      }),
      nextCursor &&
        h(
          "button",
          { type: "button", class: "button small", onclick: (e: Event) => void busy(e.currentTarget as HTMLButtonElement, loadMore) },
          "Load more",
        ),
    );
  };

  async function load(): Promise<void> {
    try {
      const page = await listSnapshots();
      if (o.signal.aborted) return;
      snapshots = page.snapshots;
      nextCursor = page.nextCursor;
      render();
    } catch (err) {
      replace(listBody, errorAlert(err));
    }
  }

  async function loadMore(): Promise<void> {
    if (!nextCursor) return;
    const page = await listSnapshots(nextCursor);
    snapshots = [...snapshots, ...page.snapshots];
    nextCursor = page.nextCursor;
    render();
  }

  const takeButton: HTMLButtonElement = h(
    "button",
    {
      type: "button",
      class: "button primary",
      onclick: () =>
        void busy(takeButton, async () => {
          // Through the queue: offline, the request waits on the device and the room takes the snapshot once it arrives.
          const outcome = await o.queue.enqueue({
            scope: projectScope(projectId),
            label: "Taking a snapshot",
            method: "POST",
            path: takePath,
          });
          if (!outcome.applied) return toast("Snapshot requested: it will be taken when Plaza can be reached.", "info");
          toast(`Snapshot taken at ${formatDateTime((outcome.body as SnapshotSummaryT).createdAt)}.`);
        }),
    },
    "Snapshot now",
  );
  const refreshButton: HTMLButtonElement = h(
    "button",
    { type: "button", class: "button", onclick: () => void busy(refreshButton, load) },
    "Refresh",
  );

  // A snapshot taken now, or sent from the queue after a reload, shows up in the list.
  const takePath = snapshotsApi.$url({ param: { orgId, projectId } }).pathname;
  const stop = o.queue.onApplied((entry) => {
    if (entry.method === "POST" && entry.path === takePath) void load();
  });
  o.signal.addEventListener("abort", stop, { once: true });

  return { content: [h("div", { class: "form-actions" }, o.canWrite && takeButton, refreshButton), listBody, inspector], load };
}

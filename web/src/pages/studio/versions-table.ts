/** The item's versions, one table per channel, newest first; admins yank and unyank. */
import { CHANNELS, type VersionT } from "../../../../shared/catalog";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h } from "../../dom";
import { formatBytes, formatDateTime } from "../../format";
import { busy } from "../../ui/busy";
import { dataTable, row } from "../../ui/table";
import { toast } from "../../ui/toast";

const CHANNEL_LABELS: Record<(typeof CHANNELS)[number], string> = { stable: "Stable", beta: "Beta" };

export function versionTables(o: {
  orgId: string;
  itemId: string;
  versions: VersionT[];
  canEdit: boolean;
  /** Loads the versions again and re-renders. */
  refresh(): Promise<void>;
}): HTMLElement {
  const setYanked = (button: HTMLButtonElement, v: VersionT, yank: boolean) =>
    busy(button, async () => {
      const param = { orgId: o.orgId, itemId: o.itemId, version: v.version };
      const versionApi = api.v1.orgs[":orgId"].items[":itemId"].versions[":version"];
      await unwrap(yank ? versionApi.yank.$post({ param }) : versionApi.unyank.$post({ param }));
      toast(yank ? `${v.version} yanked: hidden from new installs.` : `${v.version} is installable again.`);
      await o.refresh();
    });

  const versionRow = (v: VersionT) => {
    const action: HTMLButtonElement = h(
      "button",
      {
        type: "button",
        class: `button small${v.yanked ? "" : " danger"}`,
        "aria-label": `${v.yanked ? "Unyank" : "Yank"} ${v.version}`,
        onclick: () => void setYanked(action, v, !v.yanked),
      },
      v.yanked ? "Unyank" : "Yank",
    );
    return row(
      { "data-version": v.version },
      h("strong", {}, v.version),
      h("span", { class: "nowrap" }, formatDateTime(v.createdAt)),
      h("code", {}, v.engineRange),
      formatBytes(v.size),
      h("span", { class: `badge ${v.yanked ? "no" : "yes"}` }, v.yanked ? "Yanked" : "Live"),
      v.changelog ? h("details", {}, h("summary", {}, "Changelog"), h("pre", { class: "changelog" }, v.changelog)) : "—",
      ...(o.canEdit ? [h("div", { class: "row-actions" }, action)] : []),
    );
  };

  return h(
    "div",
    { class: "stack" },
    CHANNELS.map((channel) => {
      const label = CHANNEL_LABELS[channel];
      const id = `versions-${channel}`;
      return h(
        "section",
        { class: "card", "aria-labelledby": id },
        h("h2", { id }, `${label} channel`),
        dataTable({
          caption: `${label} versions`,
          headers: ["Version", "Published", "Plaza", "Size", "Status", "Changelog", ...(o.canEdit ? [""] : [])],
          rows: o.versions.filter((v) => v.channel === channel).map(versionRow),
          empty: `No ${channel} versions yet.`,
        }),
      );
    }),
  );
}

/**
 * The Versions tab: every version of the item per channel (admins yank and unyank), and, for
 * admins, publishing a new one from a bundle (versions-publish-form.ts). Members see the tables.
 */
import type { VersionT } from "../../../../../shared/catalog";
import { api } from "../../../api/client";
import { unwrap } from "../../../api/unwrap";
import { h, replace } from "../../../dom";
import { errorAlert } from "../../../ui/alert";
import type { StudioTab, StudioTabContext } from "../tabs";
import { publishVersionForm } from "../versions-publish-form";
import { versionTables } from "../versions-table";

async function versionsTabContent(ctx: StudioTabContext): Promise<Node> {
  const { orgId, item, canEdit, signal } = ctx;
  const load = async () => (await unwrap(api.v1.orgs[":orgId"].items[":itemId"].versions.$get({ param: { orgId, itemId: item.id } }))).data;
  let versions: VersionT[] = await load();
  const tables = h("div");
  const render = () => replace(tables, versionTables({ orgId, itemId: item.id, versions, canEdit, refresh }));
  const refresh = async () => {
    try {
      const loaded = await load();
      if (signal.aborted) return;
      versions = loaded;
      render();
    } catch (err) {
      replace(tables, errorAlert(err));
    }
  };
  render();
  return h(
    "div",
    { class: "stack" },
    canEdit
      ? h("section", { class: "card" }, publishVersionForm({ item, versions: () => versions, published: refresh }))
      : h("p", { class: "hint" }, "Only admins and owners can publish, yank and unyank versions."),
    tables,
  );
}

export const versionsTab: StudioTab = { id: "versions", label: "Versions", render: versionsTabContent };

/**
 * Items installed in a project: install one of the items you own (an active entitlement), and
 * uninstall. An item whose installer lost access shows as inactive. Each shows its version, a
 * newer one on the project's channel with the changelogs in between (Update moves to it), and
 * whether its author yanked the installed one.
 */
import type { z } from "zod";
import type { LibraryEntryT } from "../../../../shared/downloads";
import type { InstalledItem, ProjectT } from "../../../../shared/projects";
import { api } from "../../api/client";
import { asApiError } from "../../api/errors";
import { unwrap } from "../../api/unwrap";
import { h, replace, uniqueId } from "../../dom";
import { errorAlert } from "../../ui/alert";
import { describeError } from "../../ui/messages";
import { dataTable, row } from "../../ui/table";
import { toast } from "../../ui/toast";
import { storefrontItemUrl } from "../paths";
import { checkItemUpdates, type ItemUpdate } from "./item-updates";

type InstalledItemT = z.infer<typeof InstalledItem>;

const activeBadge = (item: InstalledItemT) =>
  h("span", { class: item.active ? "badge yes" : "badge no" }, item.active ? "Active" : "Inactive: the installer's access ended");

/** The installed version, flagged when yanked, and the update the channel offers with its changelogs. */
function versionCell(item: InstalledItemT, update: ItemUpdate | undefined, updateButton: HTMLButtonElement | false) {
  if (!item.version) return h("span", { class: "muted" }, "No version");
  return h(
    "div",
    { class: "installed-version" },
    h("span", { class: "mono" }, item.version),
    update?.yanked && h("span", { class: "badge flush status-yanked" }, `${item.version} was yanked by its author`),
    update?.to &&
      h(
        "div",
        { class: "item-update", role: "group", "aria-label": `Update for ${item.name}` },
        h("span", { class: "badge flush update-available" }, `Update available: ${item.version} → ${update.to}`),
        h(
          "ul",
          { class: "update-changelog", "aria-label": `Changelog of ${item.name} since ${item.version}` },
          update.changes.map((change) =>
            h(
              "li",
              {},
              h("strong", { class: "mono" }, change.version),
              change.channel === "beta" && h("span", { class: "badge" }, "beta"),
              h("span", { class: "update-changelog-text" }, change.changelog || "No changelog."),
            ),
          ),
        ),
        updateButton,
      ),
  );
}

export function itemsSection(o: { orgId: string; projectId: string; canEdit: boolean; reload: () => Promise<void> }) {
  const { orgId, projectId } = o;
  const installedItem = api.v1.orgs[":orgId"].projects[":projectId"].items[":itemSlug"];
  const listBody = h("div");
  const installSlot = h("div");
  let library: LibraryEntryT[] | null = null;
  let libraryError: unknown = null;

  const act = async (button: HTMLButtonElement, action: () => Promise<unknown>, done: string) => {
    button.disabled = true;
    try {
      await action();
      toast(done);
      await o.reload();
    } catch (err) {
      toast(describeError(asApiError(err)), "error");
      button.disabled = false;
    }
  };

  const installForm = (installed: InstalledItemT[]) => {
    if (!library) return libraryError ? errorAlert(libraryError) : null;
    const available = library.filter((entry) => !installed.some((i) => i.slug === entry.item.slug));
    if (library.length === 0)
      return h(
        "p",
        { class: "empty" },
        "You own no items yet. Get one from the ",
        h("a", { href: "/" }, "storefront"),
        " to install it here.",
      );
    if (available.length === 0) return h("p", { class: "empty" }, "Every item you own is installed.");
    const id = uniqueId("install-item");
    const select = h(
      "select",
      { id, name: "itemSlug" },
      available.map((entry) => h("option", { value: entry.item.slug }, entry.item.name)),
    );
    const button: HTMLButtonElement = h("button", { type: "submit", class: "button primary" }, "Install");
    return h(
      "form",
      {
        class: "inline-form compact",
        "aria-label": "Install an item",
        onsubmit: (e: Event) => {
          e.preventDefault();
          const name = select.selectedOptions[0]?.textContent ?? select.value;
          void act(
            button,
            () => unwrap(installedItem.$put({ param: { orgId, projectId, itemSlug: select.value }, json: {} })),
            `Installed ${name}.`,
          );
        },
      },
      h("div", { class: "field" }, h("label", { for: id }, "Item you own"), select),
      h("div", { class: "form-actions" }, button),
    );
  };

  // Answers of a check started for an older render are dropped.
  let checking = 0;
  const render = (project: ProjectT) => {
    const check = ++checking;
    draw(project, new Map());
    // Says when the badges are final (tests wait for it before reading that there is none).
    listBody.dataset.updates = "checking";
    checkItemUpdates(project).then(
      (updates) => {
        if (check !== checking) return;
        draw(project, updates);
        listBody.dataset.updates = "checked";
      },
      (err: unknown) => {
        if (check !== checking) return;
        listBody.dataset.updates = "failed";
        toast(`Could not check for updates: ${describeError(asApiError(err))}`, "error");
      },
    );
  };

  const draw = (project: ProjectT, updates: Map<string, ItemUpdate>) => {
    const installed = project.items ?? [];
    replace(
      listBody,
      dataTable({
        caption: "Installed items",
        headers: ["Item", "Version", "Status", ""],
        rows: installed.map((item) => {
          const { name } = item;
          const update = updates.get(item.slug);
          const to = update?.to;
          const updateButton: HTMLButtonElement | false =
            o.canEdit &&
            !!to &&
            h(
              "button",
              {
                type: "button",
                class: "button small primary",
                "aria-label": `Update ${name} to ${to}`,
                onclick: () =>
                  void act(
                    updateButton as HTMLButtonElement,
                    () => unwrap(installedItem.$put({ param: { orgId, projectId, itemSlug: item.slug }, json: { version: to } })),
                    `Updated ${name} to ${to}.`,
                  ),
              },
              "Update",
            );
          const remove: HTMLButtonElement = h(
            "button",
            {
              type: "button",
              class: "button small",
              "aria-label": `Uninstall ${name}`,
              onclick: () =>
                void act(
                  remove,
                  () => unwrap(installedItem.$delete({ param: { orgId, projectId, itemSlug: item.slug } })),
                  `Uninstalled ${name}.`,
                ),
            },
            "Uninstall",
          );
          return row(
            { "data-item-slug": item.slug },
            h("a", { href: storefrontItemUrl(item.slug) }, name),
            versionCell(item, update, updateButton),
            activeBadge(item),
            o.canEdit && remove,
          );
        }),
        empty: "No items installed.",
      }),
    );
    replace(installSlot, o.canEdit ? installForm(installed) : null);
  };

  const loadLibrary = async () => {
    try {
      library = (await unwrap(api.v1.me.library.$get())).data;
    } catch (err) {
      libraryError = err;
    }
  };

  return { content: [listBody, installSlot], render, loadLibrary };
}

/**
 * Items installed in a project: install one of the items you own (an active entitlement), and
 * uninstall. An item whose installer lost access shows as inactive.
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

type InstalledItemT = z.infer<typeof InstalledItem>;

const activeBadge = (item: InstalledItemT) =>
  h("span", { class: item.active ? "badge yes" : "badge no" }, item.active ? "Active" : "Inactive: the installer's access ended");

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

  const render = (project: ProjectT) => {
    const installed = project.items ?? [];
    replace(
      listBody,
      dataTable({
        caption: "Installed items",
        headers: ["Item", "Status", ""],
        rows: installed.map((item) => {
          const { name } = item;
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

/** The Downloads section of Purchases: every item the buyer owns, each version with a Download button. */
import type { LibraryEntryT } from "../../../../shared/downloads";
import { api } from "../../api/client";
import { asApiError } from "../../api/errors";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import { formatBytes, formatDate } from "../../format";
import { errorAlert } from "../../ui/alert";
import { describeError } from "../../ui/messages";
import { section } from "../../ui/page";
import { dataTable, row } from "../../ui/table";
import { storefrontItemUrl } from "../paths";
import { reviewedItemIds, reviewLink } from "./review-link";

type Version = LibraryEntryT["versions"][number];

/** How the buyer holds the item, and until when. */
function accessText(entry: LibraryEntryT): string {
  const how = { purchase: "Bought", subscription: "Subscription", free: "Free", grant: "Granted" }[entry.source];
  return entry.expiresAt === null ? how : `${how}, until ${formatDate(entry.expiresAt)}`;
}

/** Asks for a short-lived signed link, then lets the browser fetch it (an attachment: the page stays). */
function downloadButton(entry: LibraryEntryT, version: Version, message: HTMLElement): HTMLButtonElement {
  const button = h(
    "button",
    {
      type: "button",
      class: "button small",
      "aria-label": `Download ${entry.item.name} ${version.version}`,
      onclick: async () => {
        button.disabled = true;
        message.hidden = true;
        try {
          const link = await unwrap(api.v1.me.downloads.$post({ json: { item: entry.item.slug, version: version.version } }));
          location.assign(link.url);
        } catch (err) {
          message.textContent = describeError(asApiError(err));
          message.hidden = false;
        } finally {
          button.disabled = false;
        }
      },
    },
    "Download",
  );
  return button;
}

function versionRow(entry: LibraryEntryT, version: Version): HTMLTableRowElement {
  const message = h("p", { class: "row-error", role: "alert", hidden: true });
  return row(
    { "data-version": version.version },
    h(
      "span",
      { class: "nowrap" },
      version.version,
      version.channel === "beta" && h("span", { class: "badge" }, "Beta"),
      version.yanked &&
        h(
          "span",
          { class: "badge status-yanked", title: "Withdrawn by the author. You can still download it because you had it before." },
          "Yanked",
        ),
    ),
    h("span", { class: "nowrap" }, formatDate(version.createdAt)),
    formatBytes(version.size),
    h("div", { class: "row-actions" }, downloadButton(entry, version, message), message),
  );
}

function libraryEntry(entry: LibraryEntryT, reviewed: ReadonlySet<string>): HTMLElement {
  const headingId = `library-${entry.item.id}`;
  return h(
    "article",
    { class: "library-entry", "aria-labelledby": headingId, "data-item-slug": entry.item.slug },
    h("h3", { id: headingId }, h("a", { href: storefrontItemUrl(entry.item.slug) }, entry.item.name)),
    h("p", { class: "muted" }, accessText(entry)),
    reviewLink(entry, reviewed),
    dataTable({
      caption: `Versions of ${entry.item.name}`,
      headers: ["Version", "Released", "Size", ""],
      rows: entry.versions.map((v) => versionRow(entry, v)),
      empty: "No version to download yet.",
    }),
  );
}

/** The section, loaded: the buyer's library, newest version first within each item. */
export async function downloadsSection(signal: AbortSignal): Promise<HTMLElement> {
  const body = h("div", { class: "stack" });
  try {
    const [{ data }, reviewed] = await Promise.all([unwrap(api.v1.me.library.$get()), reviewedItemIds()]);
    if (!signal.aborted)
      replace(
        body,
        data.length === 0 ? h("p", { class: "empty" }, "Nothing to download yet.") : data.map((entry) => libraryEntry(entry, reviewed)),
      );
  } catch (err) {
    replace(body, errorAlert(err));
  }
  return section("Downloads", body);
}

/**
 * "Publish a version": choose or drop the bundle; its plaza.json is read and checked at once, each
 * problem shown beside its field, and Publish stays off until it passes. Publishing sends the
 * bundle over tus with Uppy (ui/resumable-upload.ts): creating the upload declares the version,
 * manifest and SHA-256, which the API re-checks before any bytes move; then a progress bar with
 * Pause/Resume and Cancel, and the same bundle chosen again after a reload resumes.
 */
import { CHANNELS, type ItemT, type VersionT } from "../../../../shared/catalog";
import type { ManifestT } from "../../../../shared/manifest";
import { asApiError } from "../../api/errors";
import { h, replace, uniqueId } from "../../dom";
import { formatBytes } from "../../format";
import { clearErrors, formAlert, selectField, showErrors } from "../../ui/form";
import { describeError } from "../../ui/messages";
import { resumableUpload, UploadCanceled } from "../../ui/resumable-upload";
import { toast } from "../../ui/toast";
import { fileDropZone } from "./media-drop-zone";
import { BundleProblem, checkManifest, type FieldErrors, MANIFEST_FILE, readBundleManifest, sha256Hex } from "./versions-bundle";

type Channel = (typeof CHANNELS)[number];
const CHANGELOG_MAX = 20_000;

/** The manifest's fields as the form lists them, each with the error slot its key names. */
const MANIFEST_ROWS: { key: string; label: string; show: (m: Record<string, unknown>) => string }[] = [
  { key: "name", label: "Item (name)", show: (m) => String(m.name ?? "—") },
  { key: "version", label: "Version", show: (m) => String(m.version ?? "—") },
  { key: "entry", label: "Entry", show: (m) => String(m.entry ?? "—") },
  { key: "engines.plaza", label: "Plaza versions (engines.plaza)", show: (m) => String((m.engines as { plaza?: unknown })?.plaza ?? "—") },
  { key: "permissions", label: "Permissions", show: (m) => (Array.isArray(m.permissions) ? m.permissions.join(", ") || "none" : "none") },
  {
    key: "dependencies",
    label: "Dependencies",
    show: (m) =>
      m.dependencies && typeof m.dependencies === "object"
        ? Object.entries(m.dependencies as Record<string, unknown>)
            .map(([slug, range]) => `${slug} ${String(range)}`)
            .join(", ") || "none"
        : "none",
  },
];

const errorSlot = (key: string) => h("p", { class: "field-error", "data-error-for": key, hidden: true });

/** From this size on, hashing the bundle before it is sent takes long enough to show how far it got. */
const SHOW_CHECK_FROM_BYTES = 16 * 1024 * 1024;

/** "Checking the bundle… 42%" while its SHA-256 is computed, styled as the upload's progress. */
function checkProgress() {
  const labelId = uniqueId("bundle-check");
  const bar = h("progress", { max: 100, value: 0, "aria-labelledby": labelId });
  const percent = h("span", { class: "upload-percent" }, "0%");
  const element = h("div", { class: "upload-progress" }, h("span", { id: labelId }, "Checking the bundle…"), bar, percent);
  const show = (fraction: number) => {
    const value = Math.floor(fraction * 100);
    if (value === bar.value) return;
    bar.value = value;
    percent.textContent = `${value}%`;
  };
  return { element, show };
}

export function publishVersionForm(o: { item: ItemT; versions: () => VersionT[]; published(): Promise<void> }): HTMLFormElement {
  let bundle: File | undefined;
  let raw: unknown;
  const summary = h("div", { class: "bundle-summary", hidden: true });
  /** The bundle's upload while it runs (and its last state after). */
  const uploadSlot = h("div");
  const channelField = selectField({ name: "channel", label: "Channel", options: CHANNELS, value: "stable" });
  const changelogId = uniqueId("changelog");
  const changelog = h("textarea", {
    id: changelogId,
    name: "changelog",
    rows: 6,
    maxlength: CHANGELOG_MAX,
    "aria-describedby": `${changelogId}-hint`,
  });
  const submit = h("button", { type: "submit", class: "button primary", disabled: true }, "Publish version");
  const drop = fileDropZone({
    label: "Bundle (.tar.gz)",
    hint: `Drop the bundle here or choose it: the .tar.gz that “plaza publish” packs, with ${MANIFEST_FILE} at its top. Its ${MANIFEST_FILE} names the item and the version.`,
    accept: ".tar.gz,.tgz,application/gzip",
    onFiles: (files) => void choose(files[0]!),
  });

  const form = h(
    "form",
    { class: "stack", "aria-label": "Publish a version" },
    h("h2", {}, "Publish a version"),
    drop.element,
    errorSlot("bundle"),
    summary,
    channelField,
    h(
      "div",
      { class: "field" },
      h("label", { for: changelogId }, "Changelog", h("span", { class: "optional" }, " (optional)")),
      changelog,
      h("p", { id: `${changelogId}-hint`, class: "hint" }, "Markdown. Shown on the storefront and with update notices."),
      errorSlot("changelog"),
    ),
    uploadSlot,
    formAlert(),
    h("div", { class: "form-actions" }, submit),
  );
  const channel = () => (form.elements.namedItem("channel") as HTMLSelectElement).value as Channel;

  /** Checks the chosen bundle's manifest for this item and channel; shows what is wrong. */
  const check = (): ManifestT | undefined => {
    clearErrors(form);
    if (!bundle) return undefined;
    const result = checkManifest(raw, { item: o.item, channel: channel(), versions: o.versions() });
    renderSummary(bundle, raw);
    submit.disabled = !result.manifest;
    if (result.errors)
      showErrors(form, `${MANIFEST_FILE} in ${bundle.name} has problems: fix them and choose the bundle again.`, result.errors);
    return result.manifest;
  };

  const renderSummary = (file: File, manifest: unknown) => {
    const m = manifest && typeof manifest === "object" ? (manifest as Record<string, unknown>) : {};
    summary.hidden = false;
    replace(
      summary,
      h("p", {}, h("strong", {}, file.name), ` (${formatBytes(file.size)}). From its ${MANIFEST_FILE}:`),
      h(
        "dl",
        { class: "facts" },
        MANIFEST_ROWS.map((r) => [h("dt", {}, r.label), h("dd", {}, h("code", {}, r.show(m)), errorSlot(`manifest.${r.key}`))]),
      ),
      // Problems with the manifest as a whole (an unknown key) and the API's ungrouped ones.
      errorSlot("manifest"),
      errorSlot("version"),
    );
  };

  const choose = async (file: File) => {
    bundle = file;
    raw = undefined;
    uploadSlot.replaceChildren();
    submit.disabled = true;
    summary.hidden = true;
    clearErrors(form);
    try {
      raw = await readBundleManifest(file);
    } catch (err) {
      bundle = undefined;
      const message = err instanceof BundleProblem ? err.message : String(err);
      showErrors(form, `${file.name} cannot be published.`, { bundle: [message] });
      return;
    }
    check();
  };

  channelField.querySelector("select")?.addEventListener("change", () => void check());

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const manifest = check();
    if (!bundle || !manifest || form.getAttribute("aria-busy") === "true") return;
    const file = bundle;
    const fields: FieldErrors = {};
    if (changelog.value.length > CHANGELOG_MAX) fields.changelog = [`must be at most ${CHANGELOG_MAX} characters`];
    if (Object.keys(fields).length > 0) return showErrors(form, "Please correct the fields marked below.", fields);
    form.setAttribute("aria-busy", "true");
    submit.disabled = true;
    const chosenChannel = channel();
    try {
      let onProgress: ((fraction: number) => void) | undefined;
      if (file.size >= SHOW_CHECK_FROM_BYTES) {
        const progress = checkProgress();
        replace(uploadSlot, progress.element);
        onProgress = progress.show;
      }
      const sha256 = await sha256Hex(file, onProgress);
      const sending = resumableUpload({
        // A resumed upload keeps the metadata it was created with: the channel is part of what it is.
        scope: `bundle-${o.item.id}-${chosenChannel}`,
        file,
        label: file.name,
        metadata: {
          kind: "bundle",
          item: o.item.slug,
          version: manifest.version,
          channel: chosenChannel,
          changelog: changelog.value,
          manifest: JSON.stringify(manifest),
          sha256,
          filename: file.name,
        },
      });
      replace(uploadSlot, sending.element);
      await sending.finished;
      toast(`Published ${manifest.version} to the ${chosenChannel} channel.`);
      bundle = undefined;
      changelog.value = "";
      summary.hidden = true;
      await o.published();
    } catch (err) {
      if (err instanceof UploadCanceled) {
        uploadSlot.replaceChildren();
        toast(err.message, "info");
      } else {
        const apiError = asApiError(err);
        showErrors(form, describeError(apiError), apiError.fields);
      }
      submit.disabled = false;
    } finally {
      form.removeAttribute("aria-busy");
    }
  });
  return form;
}

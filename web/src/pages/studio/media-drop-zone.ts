/**
 * A place to drop files, around a labelled file input: dropping works with a mouse, and the
 * input with a keyboard or a screen reader. Both hand the files to `onFiles`.
 */
import { h, uniqueId } from "../../dom";

export interface DropZoneOptions {
  /** The input's label, e.g. "Add screenshots". */
  label: string;
  hint: string;
  accept: string;
  multiple?: boolean;
  onFiles(files: File[]): void;
}

export function fileDropZone(o: DropZoneOptions): { element: HTMLElement; input: HTMLInputElement } {
  const id = uniqueId("drop");
  const input = h("input", {
    id,
    type: "file",
    accept: o.accept,
    multiple: o.multiple,
    "aria-describedby": `${id}-hint`,
  });
  input.addEventListener("change", () => {
    const files = [...(input.files ?? [])];
    // Cleared, so choosing the same file again (after an error) fires `change` again.
    input.value = "";
    if (files.length > 0) o.onFiles(files);
  });
  const zone = h(
    "div",
    { class: "drop-zone" },
    h("label", { for: id }, o.label),
    input,
    h("p", { id: `${id}-hint`, class: "hint" }, o.hint),
  );
  // Only drags that carry files light the zone up; reordering thumbnails drags no files.
  const carriesFiles = (e: DragEvent) => e.dataTransfer?.types.includes("Files") ?? false;
  zone.addEventListener("dragover", (e) => {
    if (!carriesFiles(e)) return;
    e.preventDefault();
    zone.classList.add("drag-over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("drag-over"));
  zone.addEventListener("drop", (e) => {
    if (!carriesFiles(e)) return;
    e.preventDefault();
    zone.classList.remove("drag-over");
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length > 0) o.onFiles(o.multiple ? files : files.slice(0, 1));
  });
  return { element: zone, input };
}

import { type Child, h, uniqueId } from "../dom";
import { alertBox } from "./alert";

async function copyText(text: string, fallbackInput: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (e.g. http on a LAN address): select it for Ctrl+C instead.
    fallbackInput.select();
    return false;
  }
}

export interface SecretPanelOptions {
  /** What was made, e.g. `Token “CI” created.` */
  title: string;
  secret: string;
  /** The (visually hidden) label of the read-only field, e.g. "Your new API token". */
  label: string;
  testId: string;
  onDone: () => void;
  /** More to say below the "copy it now" note. */
  extra?: Child[];
}

/** A secret, shown once: it is never stored client-side and the API cannot show it again. */
export function secretPanel(o: SecretPanelOptions): HTMLElement {
  const id = uniqueId(o.testId);
  const input = h("input", {
    id,
    type: "text",
    readonly: true,
    value: o.secret,
    class: "mono",
    "data-testid": o.testId,
    spellcheck: "false",
  });
  const copy = h(
    "button",
    {
      type: "button",
      class: "button",
      onclick: async () => {
        const copied = await copyText(o.secret, input);
        copy.textContent = copied ? "Copied" : "Press Ctrl+C to copy";
      },
    },
    "Copy",
  );
  const panel = alertBox(
    "success",
    h("p", {}, h("strong", {}, `${o.title} `), "Copy it now: you will not be able to see it again."),
    ...(o.extra ?? []),
    h("label", { for: id, class: "visually-hidden" }, o.label),
    h("div", { class: "secret-row" }, input, copy, h("button", { type: "button", class: "button", onclick: o.onDone }, "Done")),
  );
  panel.classList.add("secret-panel");
  return panel;
}

/** A project's update channel: which versions its items install and update to. */
import type { ProjectChannelT } from "../../../../shared/projects";
import { h, uniqueId } from "../../dom";

const LABELS: Record<ProjectChannelT, string> = { stable: "Stable versions only", beta: "Beta versions too" };

export function channelField(value: ProjectChannelT, disabled: boolean): HTMLDivElement {
  const id = uniqueId("field-channel");
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, "Update channel"),
    h(
      "select",
      { id, name: "channel", disabled, "aria-describedby": `${id}-hint ${id}-error` },
      (Object.keys(LABELS) as ProjectChannelT[]).map((channel) =>
        h("option", { value: channel, selected: channel === value }, LABELS[channel]),
      ),
    ),
    h("p", { id: `${id}-hint`, class: "hint" }, "Which versions installed items move to when you install or update them."),
    h("p", { id: `${id}-error`, class: "field-error", "data-error-for": "channel", hidden: true }),
  );
}

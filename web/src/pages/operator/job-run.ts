/** How a maintenance job's run reads, on the overview and the Jobs page. */
import type { JobRunT } from "../../../../shared/operator";
import { h } from "../../dom";
import { formatDateTime } from "../../format";

/** The run's outcome: its status, and the error of a failed one. */
export const jobRunOutcome = (run: JobRunT | null) =>
  run
    ? h(
        "span",
        {},
        h("span", { class: `badge status-${run.status}` }, run.status),
        run.error && h("span", { class: "wrap-anywhere" }, ` ${run.error}`),
      )
    : h("span", { class: "muted" }, "Never run");

export const jobRunTime = (ms: number | null) =>
  ms === null ? h("span", { class: "muted" }, "—") : h("span", { class: "nowrap" }, formatDateTime(ms));

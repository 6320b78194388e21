/**
 * `/operator/jobs`: the maintenance jobs with "Run now" each, the `job_runs` log (started,
 * finished, rows touched, error), newest first, filtered by job, with "Load more", and the newest
 * dead letters of every queue (the operator-alerts job e-mails operators about new ones).
 */
import type { DeadLetterT } from "../../../../shared/health";
import type { JobRunT, JobSummaryT } from "../../../../shared/operator";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import type { PageContext } from "../../router";
import { errorAlert } from "../../ui/alert";
import { busy } from "../../ui/busy";
import { selectField } from "../../ui/form";
import { section } from "../../ui/page";
import { dataTable, row } from "../../ui/table";
import { toast } from "../../ui/toast";
import { jobRunOutcome, jobRunTime } from "./job-run";
import { operatorPage } from "./layout";
import { loadMoreButton } from "./load-more";

const ALL_JOBS = "";

function runRows(runs: JobRunT[]): HTMLTableRowElement[] {
  return runs.map((r) =>
    row(
      { "data-run-id": r.id, "data-job": r.job },
      h("code", {}, r.job),
      jobRunTime(r.startedAt),
      jobRunTime(r.finishedAt),
      String(r.processed),
      jobRunOutcome(r),
    ),
  );
}

const deadLetterRows = (letters: DeadLetterT[]) =>
  letters.map((d) =>
    row(
      { "data-queue": d.queue, "data-message-id": d.messageId },
      jobRunTime(d.recordedAt),
      h("code", {}, d.queue),
      h("code", { class: "wrap-anywhere" }, d.about),
      d.alertedAt === null ? h("span", { class: "muted" }, "Not yet") : jobRunTime(d.alertedAt),
    ),
  );

export async function operatorJobsPage({ signal }: PageContext): Promise<Node> {
  const deadLettersBody = h("div");
  const jobsBody = h("div");
  const runsBody = h("div");
  const filter = selectField({ name: "job", label: "Job", options: [{ value: ALL_JOBS, label: "All jobs" }] });
  const select = filter.querySelector("select")!;
  let runs: JobRunT[] = [];

  const loadRuns = async (cursor?: string) => {
    try {
      const job = select.value === ALL_JOBS ? undefined : select.value;
      const page = await unwrap(api.v1.operator["job-runs"].$get({ query: { job, cursor } }));
      if (signal.aborted) return;
      runs = cursor ? [...runs, ...page.data] : page.data;
      const more = page.nextCursor;
      const loadMore = more && loadMoreButton(() => loadRuns(more));
      replace(
        runsBody,
        dataTable({
          caption: "Job runs",
          headers: ["Job", "Started", "Finished", "Rows", "Outcome"],
          rows: runRows(runs),
          empty: "No runs yet.",
        }),
        loadMore,
      );
    } catch (err) {
      replace(runsBody, errorAlert(err));
    }
  };

  const runNow = (job: string, button: HTMLButtonElement) =>
    busy(button, async () => {
      const run = await unwrap(api.v1.operator.jobs[":job"].run.$post({ param: { job } }));
      toast(run.error ? `${job} failed: ${run.error}` : `${job} ran: ${run.processed} rows.`, run.error ? "error" : "success");
      // The operator-alerts job marks dead letters mailed: their table is read again too.
      await Promise.all([loadJobs(), loadRuns(), loadDeadLetters()]);
    });

  const jobsTable = (jobs: JobSummaryT[]) =>
    dataTable({
      caption: "Maintenance jobs",
      headers: ["Job", "Schedule", "Last run", "Outcome", ""],
      rows: jobs.map((j) => {
        const button = h("button", { type: "button", class: "button small", "aria-label": `Run ${j.job} now` }, "Run now");
        button.addEventListener("click", () => void runNow(j.job, button));
        return row(
          { "data-job": j.job },
          h("code", {}, j.job),
          h("code", {}, j.schedule),
          jobRunTime(j.lastRun?.startedAt ?? null),
          jobRunOutcome(j.lastRun),
          button,
        );
      }),
      empty: "No maintenance jobs.",
    });

  const loadJobs = async () => {
    try {
      const jobs = await unwrap(api.v1.operator.jobs.$get());
      if (signal.aborted) return;
      replace(jobsBody, jobsTable(jobs));
      // The filter lists the jobs once; a later reload keeps the choice.
      if (select.options.length === 1) select.append(...jobs.map((j) => h("option", { value: j.job }, j.job)));
    } catch (err) {
      replace(jobsBody, errorAlert(err));
    }
  };

  const loadDeadLetters = async () => {
    try {
      const { data } = await unwrap(api.v1.operator["dead-letters"].$get({ query: {} }));
      if (signal.aborted) return;
      replace(
        deadLettersBody,
        dataTable({
          caption: "Dead letters",
          headers: ["Recorded", "Queue", "About", "Operators mailed"],
          rows: deadLetterRows(data),
          empty: "No dead letters in the last 30 days.",
        }),
      );
    } catch (err) {
      replace(deadLettersBody, errorAlert(err));
    }
  };

  select.addEventListener("change", () => void loadRuns());
  await Promise.all([loadJobs(), loadRuns(), loadDeadLetters()]);
  return operatorPage(
    "Jobs",
    "The maintenance jobs the scheduler runs, and every run's outcome. Run now runs a job at once and records it like a scheduled run.",
    section("Jobs", jobsBody),
    section("Runs", filter, runsBody),
    section("Dead letters", deadLettersBody),
  );
}

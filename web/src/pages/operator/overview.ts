/**
 * `/operator`: the platform at a glance: payments by status, open disputes, dead-letter queue
 * depths, failing webhook endpoints across orgs and each maintenance job's last run.
 */
import type { OperatorOverviewT } from "../../../../shared/operator";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h } from "../../dom";
import type { PageContext } from "../../router";
import { section } from "../../ui/page";
import { factList } from "../../ui/status-list";
import { dataTable, row } from "../../ui/table";
import { OPERATOR_JOBS_PATH, OPERATOR_MAIL_PATH } from "../paths";
import { jobRunOutcome, jobRunTime } from "./job-run";
import { operatorPage } from "./layout";

function paymentsTable(byStatus: Record<string, number>): HTMLElement {
  return dataTable({
    caption: "Payments by status",
    headers: ["Status", "Payments"],
    rows: Object.entries(byStatus).map(([status, count]) => row({ "data-status": status }, status, String(count))),
    empty: "No payments yet.",
  });
}

function failingEndpointsTable(endpoints: OperatorOverviewT["failingEndpoints"]): HTMLElement {
  return dataTable({
    caption: "Failing webhook endpoints",
    headers: ["Org", "URL", "Status", "Failures in a row", "Last error"],
    rows: endpoints.map((e) =>
      row(
        { "data-endpoint-id": e.endpointId },
        e.orgName,
        h("span", { class: "wrap-anywhere" }, e.url),
        e.status,
        String(e.consecutiveFailures),
        e.lastError ? h("span", { class: "wrap-anywhere" }, e.lastError) : h("span", { class: "muted" }, "—"),
      ),
    ),
    empty: "No endpoint is failing.",
  });
}

function jobsTable(jobs: OperatorOverviewT["jobs"]): HTMLElement {
  return dataTable({
    caption: "Last run of each maintenance job",
    headers: ["Job", "Schedule", "Last run", "Outcome"],
    rows: jobs.map((j) =>
      row(
        { "data-job": j.job },
        h("code", {}, j.job),
        h("code", {}, j.schedule),
        jobRunTime(j.lastRun?.startedAt ?? null),
        jobRunOutcome(j.lastRun),
      ),
    ),
    empty: "No maintenance jobs.",
  });
}

export async function operatorOverviewPage(_: PageContext): Promise<Node> {
  const overview = await unwrap(api.v1.operator.overview.$get());
  const { deadLetters } = overview;
  return operatorPage(
    "Operator",
    "The platform's money, queues and maintenance at a glance.",
    section("Payments", paymentsTable(overview.paymentsByStatus), factList([["Disputes open", String(overview.disputesOpen)]])),
    section(
      "Dead letters",
      h("p", { class: "muted" }, "Messages whose retries were used up, per queue."),
      factList([
        ["Mail", h("a", { href: OPERATOR_MAIL_PATH }, String(deadLetters.mail))],
        ["Stripe events", String(deadLetters.stripeEvents)],
        ["Webhook deliveries", String(deadLetters.webhooks)],
      ]),
    ),
    section("Failing webhook endpoints", failingEndpointsTable(overview.failingEndpoints)),
    section("Maintenance jobs", jobsTable(overview.jobs), h("p", {}, h("a", { href: OPERATOR_JOBS_PATH }, "All runs, and Run now"))),
  );
}

/**
 * `/operator`: the platform at a glance: revenue and fee income per day, payments by status, open
 * disputes, dead-letter queue depths, failing webhook endpoints across orgs and each maintenance
 * job's last run.
 */
import type { PlatformAnalyticsT } from "../../../../shared/analytics";
import type { OperatorOverviewT } from "../../../../shared/operator";
import { timeSeriesChart } from "../../analytics/chart";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import type { PageContext } from "../../router";
import { errorAlert } from "../../ui/alert";
import { selectField } from "../../ui/form";
import { section } from "../../ui/page";
import { factList } from "../../ui/status-list";
import { dataTable, row } from "../../ui/table";
import { OPERATOR_JOBS_PATH, OPERATOR_MAIL_PATH } from "../paths";
import { jobRunOutcome, jobRunTime } from "./job-run";
import { operatorPage } from "./layout";

const REVENUE_DAYS = 30;

function revenueChart(analytics: PlatformAnalyticsT): HTMLElement {
  const currency = analytics.currency ?? "usd";
  return timeSeriesChart({
    title: `Revenue and fee income, last ${analytics.days} days (${currency.toUpperCase()})`,
    days: analytics.series.map((d) => d.day),
    series: [
      { label: "Gross sales", values: analytics.series.map((d) => d.grossSales), kind: "money", currency },
      { label: "Fee income", values: analytics.series.map((d) => d.feeIncome), kind: "money", currency },
      { label: "Refunds", values: analytics.series.map((d) => d.refunds), kind: "money", currency },
    ],
  });
}

/** The chart of one currency; with sales in several, a select switches between them. */
function revenueSection(first: PlatformAnalyticsT, signal: AbortSignal): HTMLElement {
  const chart = h("div", {}, revenueChart(first));
  if (first.currencies.length < 2) return section("Revenue", chart);
  const picker = selectField({
    name: "currency",
    label: "Currency",
    options: first.currencies.map((c) => ({ value: c, label: c.toUpperCase() })),
    value: first.currency ?? undefined,
  });
  const select = picker.querySelector("select")!;
  select.addEventListener("change", async () => {
    try {
      const next = await unwrap(api.v1.operator.analytics.$get({ query: { days: String(REVENUE_DAYS), currency: select.value } }));
      if (!signal.aborted) replace(chart, revenueChart(next));
    } catch (err) {
      replace(chart, errorAlert(err));
    }
  });
  return section("Revenue", picker, chart);
}

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

export async function operatorOverviewPage({ signal }: PageContext): Promise<Node> {
  const [overview, analytics] = await Promise.all([
    unwrap(api.v1.operator.overview.$get()),
    unwrap(api.v1.operator.analytics.$get({ query: { days: String(REVENUE_DAYS) } })),
  ]);
  const { deadLetters } = overview;
  return operatorPage(
    "Operator",
    "The platform's money, queues and maintenance at a glance.",
    revenueSection(analytics, signal),
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

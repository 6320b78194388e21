/**
 * `/dashboard/analytics`: the active org's sales, subscriptions, downloads and storefront funnel
 * over the last 7/30/90/365 days, for all items or one, as charts with their tables, totals and a
 * CSV export. While the tab is visible it asks again every few seconds, so a sale shows up without
 * a reload (the answer is one indexed read of the daily rollups); the charts are redrawn only when
 * the numbers changed.
 */
import type { AnalyticsDayT, AnalyticsT } from "../../../shared/analytics";
import { api } from "../api/client";
import { asApiError } from "../api/errors";
import { unwrap, unwrapBlob } from "../api/unwrap";
import { type Child, h, uniqueId } from "../dom";
import { formatMoney } from "../format";
import type { PageContext } from "../router";
import { activeMembership } from "../state/me";
import { errorAlert } from "../ui/alert";
import { describeError } from "../ui/messages";
import { noOrgContent } from "../ui/no-org";
import { pageHeader, section } from "../ui/page";
import { saveBlob } from "../ui/save-blob";
import { toast } from "../ui/toast";
import { type ChartSeries, timeSeriesChart } from "./chart";

const RANGES = [7, 30, 90, 365] as const;
type Range = (typeof RANGES)[number];
const REFRESH_MS = 5_000;

const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });
const count = new Intl.NumberFormat();

/** The four charts: which columns each draws. */
function charts(a: AnalyticsT, currency: string): HTMLElement[] {
  const days = a.series.map((d) => d.day);
  const values = (key: keyof AnalyticsDayT) => a.series.map((d) => Number(d[key]));
  const money = (label: string, key: keyof AnalyticsDayT): ChartSeries => ({ label, values: values(key), kind: "money", currency });
  const counted = (label: string, key: keyof AnalyticsDayT): ChartSeries => ({ label, values: values(key), kind: "count" });
  return [
    timeSeriesChart({ title: "Sales", days, series: [money("Gross sales", "grossSales"), money("Net after fees", "netSales")] }),
    timeSeriesChart({
      title: "Subscriptions",
      days,
      series: [money("MRR", "mrr"), counted("New", "newSubscriptions"), counted("Churned", "churnedSubscriptions")],
    }),
    timeSeriesChart({
      title: "Downloads and licenses",
      days,
      series: [counted("Downloads", "downloads"), counted("Active licenses", "activeLicenses")],
    }),
    timeSeriesChart({
      title: "Page views and checkouts",
      days,
      series: [
        counted("Page views", "pageViews"),
        counted("Checkouts started", "checkoutsStarted"),
        counted("Checkouts completed", "checkoutsCompleted"),
      ],
    }),
  ];
}

function totals(a: AnalyticsT, currency: string): HTMLElement {
  const t = a.totals;
  const money = (n: number) => formatMoney(n, currency);
  const entries: [string, string][] = [
    ["Gross sales", money(t.grossSales)],
    ["Net after fees", money(t.netSales)],
    ["Refunds", money(t.refunds)],
    ["Disputes", count.format(t.disputes)],
    ["MRR", money(t.mrr)],
    ["New subscriptions", count.format(t.newSubscriptions)],
    ["Churned subscriptions", count.format(t.churnedSubscriptions)],
    ["Downloads", count.format(t.downloads)],
    ["Active licenses", count.format(t.activeLicenses)],
    ["Page views", count.format(t.pageViews)],
    ["Checkouts completed", count.format(t.checkoutsCompleted)],
    ["Conversion", t.conversion === null ? "—" : percent.format(t.conversion)],
  ];
  return h(
    "dl",
    { class: "analytics-totals", "aria-label": `Totals, ${a.from} to ${a.to}` },
    entries.map(([label, value]) => h("div", {}, h("dt", {}, label), h("dd", {}, value))),
  );
}

export async function analyticsPage({ signal }: PageContext): Promise<Node> {
  const org = activeMembership();
  if (!org) return noOrgContent("Analytics", "Create an org to sell items.");
  const orgId = org.orgId;
  let days: Range = 30;
  let itemId = "";
  let currency = "";
  let shown = "";

  const query = () => ({ days: String(days), ...(itemId ? { itemId } : {}), ...(currency ? { currency } : {}) });
  const body = h("div", { class: "stack" });
  const summary = h("div");
  const currencyField = h("div");

  const rangeButtons = RANGES.map((n) =>
    h("button", { type: "button", class: "button", "aria-pressed": String(n === days), onclick: () => void choose(n) }, `${n} days`),
  );
  const choose = async (n: Range) => {
    days = n;
    for (const [i, button] of rangeButtons.entries()) button.setAttribute("aria-pressed", String(RANGES[i] === n));
    await load();
  };

  const itemSelectId = uniqueId("analytics-item");
  const itemSelect = h("select", { id: itemSelectId }, h("option", { value: "" }, "All items"));
  itemSelect.addEventListener("change", () => {
    itemId = itemSelect.value;
    void load();
  });

  const currencySelect = (a: AnalyticsT): Node[] => {
    if (a.currencies.length < 2) return [];
    const id = uniqueId("analytics-currency");
    const select = h(
      "select",
      { id },
      a.currencies.map((c) => h("option", { value: c, selected: c === a.currency }, c.toUpperCase())),
    );
    select.addEventListener("change", () => {
      currency = select.value;
      void load();
    });
    return [h("label", { for: id }, "Currency"), select];
  };

  const draw = (a: AnalyticsT) => {
    const money = a.currency ?? a.currencies[0] ?? "usd";
    currencyField.replaceChildren(...currencySelect(a));
    summary.replaceChildren(totals(a, money));
    body.replaceChildren(...charts(a, money));
  };

  /** Fetches the chosen range; redraws only when the numbers changed (a poll mostly finds none). */
  let asked = 0;
  const load = async (quiet = false) => {
    // Only the latest question's answer is drawn: a poll for the old range may answer after a new choice.
    const question = ++asked;
    try {
      const a = await unwrap(api.v1.orgs[":orgId"].analytics.$get({ param: { orgId }, query: query() }));
      if (signal.aborted || question !== asked) return;
      const json = JSON.stringify(a);
      if (json !== shown) {
        shown = json;
        draw(a);
      }
    } catch (err) {
      // A poll that fails (offline for a moment) keeps what is shown; the next one tries again.
      if (quiet || question !== asked) return;
      shown = ""; // the next answer replaces the error even if its numbers are the same
      body.replaceChildren(errorAlert(err));
    }
  };

  const download = h("button", { type: "button", class: "button" }, "Download CSV");
  download.addEventListener("click", async () => {
    download.disabled = true;
    try {
      const csv = await unwrapBlob(api.v1.orgs[":orgId"].analytics.csv.$get({ param: { orgId }, query: query() }));
      saveBlob(csv, `plaza-analytics-${org.slug}-${days}d${itemId ? `-${itemId}` : ""}.csv`);
    } catch (err) {
      toast(describeError(asApiError(err)), "error");
    } finally {
      download.disabled = false;
    }
  });

  const timer = setInterval(() => {
    if (document.visibilityState === "visible") void load(true);
  }, REFRESH_MS);
  const onVisible = () => document.visibilityState === "visible" && void load(true);
  document.addEventListener("visibilitychange", onVisible);
  signal.addEventListener("abort", () => {
    clearInterval(timer);
    document.removeEventListener("visibilitychange", onVisible);
  });

  const [items] = await Promise.all([unwrap(api.v1.orgs[":orgId"].items.$get({ param: { orgId } })).catch(() => ({ data: [] })), load()]);
  itemSelect.append(...items.data.map((item) => h("option", { value: item.id }, item.name)));

  const controls: Child[] = [
    h("div", { role: "group", "aria-label": "Range", class: "analytics-range" }, rangeButtons),
    h("div", { class: "analytics-field" }, h("label", { for: itemSelectId }, "Item"), itemSelect),
    h("div", { class: "analytics-field" }, currencyField),
    download,
  ];
  return h(
    "div",
    { class: "stack" },
    pageHeader(
      `Analytics · ${org.name}`,
      "Sales, subscriptions, downloads and your storefront's funnel per UTC day. Amounts are before payouts.",
    ),
    h("div", { class: "analytics-controls" }, controls),
    section("Totals", summary),
    section("Charts", body),
  );
}

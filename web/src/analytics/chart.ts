import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./chart.css";
import { h } from "../dom";
import { formatMoney } from "../format";

export type ChartSeries = { label: string; values: number[]; kind: "money" | "count"; currency?: string };
export type TimeSeriesChartOptions = { title: string; days: string[]; series: ChartSeries[] };

// Distinguishable on white and for the common colour-vision deficiencies (Okabe–Ito).
const COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"];
const HEIGHT = 220;
const count = new Intl.NumberFormat();
/** Tick steps for counts: whole numbers only (1, 2, 5, 10, 20, 50, …), never "0.2 downloads". */
const WHOLE_STEPS = Array.from({ length: 8 }, (_, power) => [1, 2, 5].map((step) => step * 10 ** power)).flat();

/** 'YYYY-MM-DD' (a UTC day) → uPlot's x value, seconds since the epoch. */
const daySeconds = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;
const dayLabel = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });

/** How one number of a series reads in the table and the tooltip: "$19.99" or "1,204". */
export const formatValue = (series: ChartSeries, value: number) =>
  series.kind === "money" ? formatMoney(value, series.currency ?? "usd") : count.format(value);

/**
 * A time series as a <figure>: the uPlot canvas (aria-hidden: pixels say nothing to a screen reader)
 * and beside it a table of the same numbers with a caption, which is the accessible form.
 * Money values are minor units; money and counts get their own y axis (money left, counts right).
 */
export function timeSeriesChart(opts: TimeSeriesChartOptions): HTMLElement {
  const plot = h("div", { class: "chart-plot", "aria-hidden": "true" });
  const figure = h(
    "figure",
    { class: "chart" },
    h("figcaption", {}, opts.title),
    h("div", { class: "chart-body" }, plot, numbersTable(opts)),
  );
  if (opts.days.length === 0) return figure;

  const money = opts.series.find((s) => s.kind === "money");
  const hasCounts = opts.series.some((s) => s.kind === "count");
  const axes: uPlot.Axis[] = [{ stroke: "#5b6170", grid: { stroke: "#eceef2" } }];
  if (money)
    axes.push({
      scale: "money",
      stroke: "#5b6170",
      grid: { stroke: "#eceef2" },
      size: 70,
      values: (_u, ticks) => ticks.map((v) => formatValue(money, v)),
    });
  if (hasCounts)
    axes.push({
      scale: "count",
      stroke: "#5b6170",
      side: money ? 1 : 3,
      grid: { show: !money },
      incrs: WHOLE_STEPS,
      values: (_u, ticks) => ticks.map((v) => count.format(v)),
    });

  const chart = new uPlot(
    {
      width: 600,
      height: HEIGHT,
      // Days are UTC days: label them in UTC, or a viewer west of Greenwich sees every point a day early.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
      scales: {
        x: { time: true },
        // From zero (or below it: a day of refunds nets negative), and never a flat line at zero.
        money: { range: (_u, min, max) => [Math.min(min, 0), Math.max(max, 100)] },
        count: { range: (_u, min, max) => [Math.min(min, 0), Math.max(max, 1)] },
      },
      axes,
      series: [
        { label: "Day", value: (_u, ts) => (ts == null ? "" : dayLabel.format(new Date(ts * 1000))) },
        ...opts.series.map((s, i) => ({
          label: s.label,
          scale: s.kind,
          stroke: COLOURS[i % COLOURS.length],
          width: 2,
          value: (_u: uPlot, v: number | null) => (v == null ? "" : formatValue(s, v)),
        })),
      ],
    },
    [opts.days.map(daySeconds), ...opts.series.map((s) => s.values)],
    plot,
  );
  // The canvas follows its box's width (first when the figure enters the page); once the figure has
  // left the page (a redraw replaced it), the observer lets go of it.
  let shown = false;
  const resize = new ResizeObserver(() => {
    if (!figure.isConnected) {
      if (shown) resize.disconnect();
      return;
    }
    shown = true;
    const width = plot.clientWidth;
    if (width > 0 && width !== chart.width) chart.setSize({ width, height: HEIGHT });
  });
  resize.observe(plot);
  return figure;
}

function numbersTable(opts: TimeSeriesChartOptions): HTMLElement {
  return h(
    "div",
    // Focusable so keyboard users can scroll a long range (365 rows) inside its box.
    { class: "table-wrap chart-table", tabindex: "0", role: "region", "aria-label": `${opts.title} (table)` },
    h(
      "table",
      {},
      h("caption", {}, opts.title),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "Day"),
          opts.series.map((s) => h("th", { scope: "col" }, s.label)),
        ),
      ),
      h(
        "tbody",
        {},
        opts.days.map((day, i) =>
          h(
            "tr",
            { "data-day": day },
            h("th", { scope: "row" }, h("time", { datetime: day }, dayLabel.format(daySeconds(day) * 1000))),
            opts.series.map((s) => h("td", { class: "num" }, formatValue(s, s.values[i] ?? 0))),
          ),
        ),
      ),
    ),
  );
}

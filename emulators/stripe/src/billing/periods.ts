/** Billing periods the way Stripe counts them: calendar months and years from the billing cycle anchor. */
export interface Recurrence {
  interval: "day" | "week" | "month" | "year";
  interval_count: number;
}

const DAY = 86_400;

/**
 * The nth period boundary after `anchor`. Months keep the anchor's day of month, clamped to the last
 * day of shorter months (an anchor on the 31st renews on Feb 28, then Mar 31), as Stripe does.
 */
export function periodBoundary(anchor: number, recurrence: Recurrence, n: number): number {
  const steps = recurrence.interval_count * n;
  if (recurrence.interval === "day") return anchor + steps * DAY;
  if (recurrence.interval === "week") return anchor + steps * 7 * DAY;
  const start = new Date(anchor * 1000);
  const months = start.getUTCMonth() + steps * (recurrence.interval === "year" ? 12 : 1);
  const lastDay = new Date(Date.UTC(start.getUTCFullYear(), months + 1, 0)).getUTCDate();
  const day = Math.min(start.getUTCDate(), lastDay);
  return Date.UTC(start.getUTCFullYear(), months, day, start.getUTCHours(), start.getUTCMinutes(), start.getUTCSeconds()) / 1000;
}

/** The first period boundary after `time`. */
export function nextPeriodEnd(anchor: number, recurrence: Recurrence, time: number): number {
  let n = 1;
  while (periodBoundary(anchor, recurrence, n) <= time) n++;
  return periodBoundary(anchor, recurrence, n);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

export const formatDateTime = (ms: number) => dateTime.format(new Date(ms));

/** "in 3 days", "5 minutes ago": for expiries and last-used times. */
export function formatRelative(ms: number, now = Date.now()): string {
  const seconds = Math.round((ms - now) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["day", 86_400],
    ["hour", 3_600],
    ["minute", 60],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(seconds, "second");
}

/** "14 minutes", "40 seconds": for Retry-After. */
export function formatDuration(seconds: number): string {
  if (seconds >= 90) return `${Math.ceil(seconds / 60)} minutes`;
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

/** A short, recognisable device name from a User-Agent string. */
export function describeUserAgent(ua: string | null): string {
  if (!ua) return "Unknown device";
  const browser = /(Edg|Firefox|Chrome|Chromium|Safari)\/[\d.]+/.exec(ua)?.[1] ?? /curl|node|undici/i.exec(ua)?.[0] ?? "Browser";
  const os = /(Windows|Mac OS X|Android|iPhone|iPad|Linux|CrOS)/.exec(ua)?.[1]?.replace("Mac OS X", "macOS") ?? "";
  return os ? `${browser === "Edg" ? "Edge" : browser} on ${os}` : browser;
}

export { formatMoney, formatPrice } from "../../shared/money";

const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
export const formatDate = (ms: number) => dateOnly.format(new Date(ms));

const BYTE_UNITS = ["B", "KB", "MB", "GB"] as const;
/** "812 B", "4.2 MB": bundle sizes (decimal units, as browsers' download lists show them). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${BYTE_UNITS[unit]}`;
}

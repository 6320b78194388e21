/** Structured JSON logs: one object per line, picked up by Workers Logs. */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

let minimum: number = LEVELS.info;

/** Sets the least severe level written, from the `LOG_LEVEL` var (default `info`). */
export function configureLogging(level: string | undefined) {
  minimum = LEVELS[(level ?? "info") as LogLevel] ?? LEVELS.info;
}

export function log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}) {
  if (LEVELS[level] < minimum) return;
  const line = JSON.stringify({ level, msg, time: new Date().toISOString(), ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

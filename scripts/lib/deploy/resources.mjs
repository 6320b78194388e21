// The account's D1 databases, R2 buckets and queues as wrangler lists them, and the parsing of
// `wrangler d1 create`'s answer. Only `d1 list` has JSON; the other two are read from their text.
import { stripAnsi } from "./rooms.mjs";

/** `wrangler d1 list --json` → [{ name, uuid }]. */
export function parseD1List(output) {
  const text = stripAnsi(output);
  const start = text.indexOf("[");
  if (start < 0) throw new Error(`wrangler d1 list --json printed no JSON:\n${output}`);
  return /** @type {{ name: string, uuid: string }[]} */ (JSON.parse(text.slice(start, text.lastIndexOf("]") + 1)));
}

/** `wrangler r2 bucket list` (`name: …` / `creation_date: …` blocks) → bucket names. */
export function parseR2List(output) {
  return [...stripAnsi(output).matchAll(/^name:\s+(\S+)\s*$/gm)].map((m) => m[1]);
}

/** `wrangler queues list` (a table: id │ name │ created_on │ …) → queue names. */
export function parseQueueList(output) {
  const names = [];
  for (const line of stripAnsi(output).split("\n")) {
    const cells = line
      .split("│")
      .map((cell) => cell.trim())
      .slice(1, -1);
    // A row of data: its first cell is the queue id (32 hex digits); the header row's is "id".
    if (cells.length >= 2 && /^[0-9a-f]{32}$/i.test(cells[0])) names.push(cells[1]);
  }
  return names;
}

/** `wrangler d1 create` → the new database's id (its config snippet carries it). */
export function parseD1CreateId(output) {
  return /"?database_id"?\s*[=:]\s*"([0-9a-f-]{36})"/i.exec(stripAnsi(output))?.[1];
}

/** Wrangler's answer when a create lost a race with another deploy, or a list missed a page. */
export const ALREADY_EXISTS = /already exists|already taken|\b11009\b|\b10026\b/i;

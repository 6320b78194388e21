/**
 * CSV downloads (RFC 4180: CRLF lines, a field with a comma, quote or line break is quoted, quotes
 * doubled), streamed page by page so an export of any length never sits in the isolate's memory.
 */

export type CsvCell = string | number | null;

const NEEDS_QUOTES = /[",\r\n]/;
// Spreadsheets run a cell starting with one of these as a formula (CSV injection): such text gets a
// leading ' so it stays text. A plain number ("-12.50") is left alone, it is what the column means.
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

export function csvCell(value: CsvCell): string {
  if (value === null) return "";
  const text = String(value);
  const safe = FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export const csvLine = (cells: CsvCell[]) => `${cells.map(csvCell).join(",")}\r\n`;

/**
 * A `text/csv` attachment: the header line, then each page's lines as the pages are read. A read
 * failing mid-way errors the stream, so the download ends incomplete rather than looking whole.
 */
export function csvResponse(filename: string, header: string[], pages: AsyncIterable<CsvCell[][]>): Response {
  const encoder = new TextEncoder();
  const iterator = pages[Symbol.asyncIterator]();
  let headerSent = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvLine(header)));
        return;
      }
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value.map(csvLine).join("")));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename}"`,
      // A private export: neither the browser's cache nor the service worker's offline copies keep it.
      "cache-control": "no-store",
    },
  });
}

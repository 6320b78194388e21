import type { RenderedMail } from "../mail";

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

/** An alert to operators: its lines as plain text (queue names, ids, errors), and a link to the console's Jobs page. */
export function operatorAlertMail(appUrl: string, alert: { subject: string; lines: string[] }): RenderedMail {
  const url = `${appUrl}/operator/jobs`;
  const text = [...alert.lines, "", `Operator console: ${url}`, "", "— Plaza"].join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;max-width:640px;margin:auto">
<h1 style="font-size:20px">${escapeHtml(alert.subject)}</h1>
<pre style="white-space:pre-wrap;font-size:13px">${escapeHtml(alert.lines.join("\n"))}</pre>
<p><a href="${escapeHtml(url)}">Open the operator console</a></p>
</body></html>`;
  return { subject: alert.subject, text, html };
}

import { Hono } from "hono";
import { raw } from "hono/html";
import type { AppEnv } from "../env";
import { AppError } from "../http/errors";
import { type PageSources, pageSources } from "../http/page-security";
import { newestMail } from "../mail";

/**
 * The page shows each e-mail's HTML in a sandboxed srcdoc frame, which inherits this policy:
 * e-mail is styled inline (style attributes), and runs no script.
 */
const mailboxSources = (): PageSources => ({ "style-src": ["'unsafe-inline'"] });

/**
 * The dev mailbox: every e-mail Plaza "sent" while running locally, read straight from the mail
 * outbox. Never mounted in production.
 */
export const mailboxRoutes = new Hono<AppEnv>()
  // Only /dev/*: mounted at the root, a path-less use() would run for every later route too.
  .use("/dev/*", async (c, next) => {
    if (c.env.ENVIRONMENT === "production") throw new AppError("not_found", "Not found");
    await next();
  })
  .get("/dev/mailbox.json", async (c) => c.json({ data: await newestMail(c.var.ctx, { limit: 200 }) }))
  .get("/dev/mailbox", pageSources(mailboxSources), async (c) => {
    const rows = await newestMail(c.var.ctx, { limit: 200 });
    return c.html(
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>Plaza dev mailbox</title>
          <style>{`body{font-family:system-ui,sans-serif;max-width:900px;margin:2rem auto;padding:0 1rem}
article{border:1px solid #ddd;border-radius:8px;margin:1rem 0;padding:.5rem 1rem}
.meta{color:#666;font-size:.85rem} iframe{width:100%;height:320px;border:0}`}</style>
        </head>
        <body>
          <h1>Dev mailbox</h1>
          <p class="meta">E-mail sent while running locally. {rows.length} message(s), newest first.</p>
          {rows.map((m) => (
            <article data-to={m.to}>
              <h2>{m.subject}</h2>
              <p class="meta">
                To {m.to} · {new Date(m.createdAt).toISOString()} · {m.status}
                {m.lastError ? ` · ${m.lastError}` : ""}
              </p>
              {/* The HTML body is shown sandboxed; links open in the top window. */}
              <iframe
                title={`HTML version of “${m.subject}”`}
                sandbox="allow-top-navigation-by-user-activation allow-popups"
                srcdoc={m.html.replace(/<a /g, '<a target="_top" ')}
              />
              <details>
                <summary>Text version</summary>
                <pre>{raw(m.text.replace(/[&<>]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[ch]!))}</pre>
              </details>
            </article>
          ))}
        </body>
      </html>,
    );
  });

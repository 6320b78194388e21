import { createRoute } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { CspReportBody, type CspViolationT } from "../../../shared/csp-reports";
import { validationError } from "../http/error-handler";
import { AppError } from "../http/errors";
import { log } from "../http/log";
import { createRouter } from "../http/openapi";
import { ErrorSchema, json, noContent } from "../http/openapi-helpers";
import { CSP_REPORT_PATH } from "../http/page-security";

/** A report is a few hundred bytes; this leaves room for a long policy and addresses. */
const REPORT_MAX_BYTES = 16 * 1024;
/** `report-uri` reports are `application/csp-report`; plain JSON is taken too. */
const REPORT_TYPE = /^application\/(csp-report|json)\s*(;|$)/i;

/** Addresses without query or fragment: pages like /magic-link and /checkout/success carry tokens there. */
const withoutQuery = (uri: string | undefined) => uri?.replace(/[?#].*$/s, "");

/** What is logged of a violation: where, what was refused and by which directive; never the referrer. */
const loggable = (v: CspViolationT) => ({
  documentUri: withoutQuery(v["document-uri"]),
  directive: v["effective-directive"] ?? v["violated-directive"],
  blockedUri: withoutQuery(v["blocked-uri"]),
  sourceFile: withoutQuery(v["source-file"]),
  line: v["line-number"],
  column: v["column-number"],
  disposition: v.disposition,
  sample: v["script-sample"],
});

/** `POST /v1/csp-reports`: the `report-uri` of every page's CSP (http/page-security.ts); no login, logs each violation. */
export const cspReportRoutes = createRouter().openapi(
  createRoute({
    method: "post",
    path: CSP_REPORT_PATH,
    tags: ["Security"],
    summary: "Report a Content-Security-Policy violation (browsers send these by themselves); logged",
    middleware: [
      bodyLimit({
        maxSize: REPORT_MAX_BYTES,
        onError: () => {
          throw new AppError("payload_too_large", `CSP reports are limited to ${REPORT_MAX_BYTES} bytes`);
        },
      }),
    ] as const,
    request: { body: { content: { "application/csp-report": { schema: CspReportBody } }, required: true } },
    responses: {
      ...noContent,
      400: json(ErrorSchema, "Not a CSP report (`invalid_request`), with the failing fields"),
      413: json(ErrorSchema, "Over 16 KB"),
      415: json(ErrorSchema, "Neither application/csp-report nor application/json"),
    },
  }),
  async (c) => {
    if (!REPORT_TYPE.test(c.req.header("content-type") ?? ""))
      throw new AppError("unsupported_media_type", "Send the report as application/csp-report");
    let body: unknown;
    try {
      // Decoded by hand: workerd warns when text() reads a type it does not know as text.
      body = JSON.parse(new TextDecoder().decode(await c.req.arrayBuffer()));
    } catch {
      throw new AppError("invalid_request", "The report is not JSON");
    }
    const report = CspReportBody.safeParse(body);
    if (!report.success) throw validationError(report.error, "json");
    log("warn", "csp violation", { requestId: c.get("requestId"), ...loggable(report.data["csp-report"]) });
    return c.body(null, 204);
  },
);

/** What browsers POST to `report-uri` when a page breaks its Content-Security-Policy (CSP Level 2 reports). */
import { z } from "zod";

const uri = z.string().max(4096);
/** A line or column in a script: browsers count them in 32-bit integers. */
const position = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);

export const CspViolation = z
  .object({
    "document-uri": uri,
    "violated-directive": z.string().max(256),
    "effective-directive": z.string().max(256).optional(),
    "blocked-uri": uri.optional(),
    "source-file": uri.optional(),
    "line-number": position.optional(),
    "column-number": position.optional(),
    "status-code": z.number().int().min(0).max(999).optional(),
    disposition: z.enum(["enforce", "report"]).optional(),
    "original-policy": z.string().max(8192).optional(),
    referrer: uri.optional(),
    "script-sample": z.string().max(256).optional(),
  })
  .meta({ id: "CspViolation" });
export type CspViolationT = z.infer<typeof CspViolation>;

export const CspReportBody = z.object({ "csp-report": CspViolation }).meta({ id: "CspReportBody" });

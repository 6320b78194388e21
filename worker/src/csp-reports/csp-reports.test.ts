import { afterEach, describe, expect, it, vi } from "vitest";
import { call, errorCode } from "../../test/http";

/** What Chromium sends to `report-uri` for a refused style attribute on a magic sign-in link's page. */
const report = {
  "csp-report": {
    "document-uri": "http://plaza.test/magic-link?token=secret-sign-in-token",
    referrer: "http://plaza.test/login?next=%2Fdashboard",
    "violated-directive": "style-src-attr",
    "effective-directive": "style-src-attr",
    "original-policy": "default-src 'self'; report-uri /v1/csp-reports",
    disposition: "enforce",
    "blocked-uri": "inline",
    "line-number": 12,
    "column-number": 34,
    "source-file": "http://plaza.test/assets/index-abc.js?v=1",
    "status-code": 200,
    "script-sample": "",
  },
};

const post = (body: string, contentType = "application/csp-report") =>
  call("POST", "/v1/csp-reports", { rawBody: body, headers: { "content-type": contentType } });

afterEach(() => vi.restoreAllMocks());

describe("POST /v1/csp-reports", () => {
  it("logs a browser's report, without the page's query or the referrer, and answers 204", async () => {
    const warn = vi.spyOn(console, "warn");
    const res = await post(JSON.stringify(report));
    expect(res.status).toBe(204);
    const lines = warn.mock.calls.map(([line]) => JSON.parse(String(line))).filter((l) => l.msg === "csp violation");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "warn",
      documentUri: "http://plaza.test/magic-link",
      directive: "style-src-attr",
      blockedUri: "inline",
      sourceFile: "http://plaza.test/assets/index-abc.js",
      line: 12,
      column: 34,
      disposition: "enforce",
    });
    expect(JSON.stringify(lines[0])).not.toContain("secret-sign-in-token");
    expect(JSON.stringify(lines[0])).not.toContain("login?next");
  });

  it("takes plain JSON too", async () => {
    expect((await post(JSON.stringify(report), "application/json")).status).toBe(204);
  });

  it("refuses what is not a report: 400 with the fields, 415 for another type, 413 when too big", async () => {
    const notJson = await post("{not json");
    expect(notJson.status).toBe(400);
    expect(errorCode(notJson)).toBe("invalid_request");

    const missing = await post(JSON.stringify({ "csp-report": { "document-uri": "http://plaza.test/" } }));
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields).toHaveProperty(["body.csp-report.violated-directive"]);

    const wrongType = await post(JSON.stringify({ "csp-report": { ...report["csp-report"], "line-number": "12" } }));
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.fields).toHaveProperty(["body.csp-report.line-number"]);

    const text = await post(JSON.stringify(report), "text/plain");
    expect(text.status).toBe(415);
    expect(errorCode(text)).toBe("unsupported_media_type");

    const huge = await post(JSON.stringify({ "csp-report": { ...report["csp-report"], "original-policy": "x".repeat(20_000) } }));
    expect(huge.status).toBe(413);
    expect(errorCode(huge)).toBe("payload_too_large");
  });
});

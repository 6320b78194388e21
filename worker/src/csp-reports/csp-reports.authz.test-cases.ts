import { type MatrixCase, PUBLIC, succeedsWith } from "../../test/authz-matrix";

/** Browsers send reports without credentials: anyone may report, and a token changes nothing. */
export const cspReportsMatrix: MatrixCase[] = [
  {
    route: "POST /v1/csp-reports",
    public: true,
    build: () => ({
      method: "POST",
      path: "/v1/csp-reports",
      options: {
        body: {
          "csp-report": { "document-uri": "http://plaza.test/login", "violated-directive": "script-src-elem", "blocked-uri": "inline" },
        },
      },
    }),
    expected: succeedsWith(PUBLIC, 204),
  },
];

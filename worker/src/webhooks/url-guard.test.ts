import { describe, expect, it } from "vitest";
import { endpointUrlProblem } from "./url-guard";

const production = { ENVIRONMENT: "production" as const };
const local = { ENVIRONMENT: "development" as const };

describe("the endpoint URL guard", () => {
  it("allows https on public hosts and addresses in production", () => {
    for (const url of [
      "https://hooks.example.com/plaza",
      "https://example.com:8443/x?y=1",
      "https://8.8.8.8/hook",
      "https://[2606:4700::1111]/hook",
    ])
      expect(endpointUrlProblem(url, production), url).toBeUndefined();
  });

  it("refuses http, credentials, private, loopback, link-local, metadata and internal names in production", () => {
    for (const url of [
      "http://hooks.example.com",
      "https://user:pass@hooks.example.com",
      "https://localhost/hook",
      "https://api.localhost/hook",
      "https://127.0.0.1/hook",
      "https://2130706433/hook", // 127.0.0.1 as one number
      "https://0x7f.1/hook",
      "https://10.1.2.3/hook",
      "https://172.16.0.1/hook",
      "https://192.168.1.1/hook",
      "https://100.64.0.1/hook",
      "https://169.254.169.254/latest/meta-data",
      "https://[::1]/hook",
      "https://[fd00:ec2::254]/hook",
      "https://[fe80::1]/hook",
      "https://[::ffff:10.0.0.1]/hook",
      "https://0.0.0.0/hook",
      "https://metadata.google.internal/computeMetadata",
      "https://printer.local/hook",
      "https://intranet/hook",
      "ftp://hooks.example.com",
      "hooks.example.com",
    ])
      expect(endpointUrlProblem(url, production), url).toBeDefined();
  });

  it("allows http and loopback when running locally, still not private networks", () => {
    for (const url of ["http://localhost:3000/hook", "http://127.0.0.1:9999/hook", "http://[::1]:8080/hook", "http://receiver.test/x"])
      expect(endpointUrlProblem(url, local), url).toBeUndefined();
    for (const url of ["http://10.0.0.1/hook", "http://169.254.169.254/", "file:///etc/passwd"])
      expect(endpointUrlProblem(url, local), url).toBeDefined();
  });
});

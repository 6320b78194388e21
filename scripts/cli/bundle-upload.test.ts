/**
 * How `plaza publish` waits for the server to verify a stored upload: GET on the upload's URL until
 * it is no longer `verifying`, against a local HTTP server that answers as Plaza's tus endpoint does.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error: plain .mjs module without type declarations
import { ApiError } from "./api.mjs";
// @ts-expect-error: plain .mjs module without type declarations
import { awaitVerification } from "./bundle-upload.mjs";
// @ts-expect-error: plain .mjs module without type declarations
import { CliError } from "./errors.mjs";

type Answer = { status: number; body: unknown };
let server: Server | undefined;

/** Serves `answers` in turn (the last one repeating) and records each request's headers. */
async function statusServer(answers: Answer[]) {
  const requests: { url: string; authorization?: string; tusResumable?: string }[] = [];
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? "", authorization: req.headers.authorization, tusResumable: req.headers["tus-resumable"] as string });
    const answer = answers[Math.min(requests.length, answers.length) - 1]!;
    res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { api, uploadUrl: `${api}/v1/tus/tus_abc`, requests };
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

const verifying = { status: 200, body: { id: "tus_abc", state: "verifying", offset: 10, length: 10, result: null } };
const poll = { firstWaitMs: 5, maxWaitMs: 20 };

describe("awaitVerification", () => {
  it("polls GET on the upload's URL (with the token) while it is verifying, past a 5xx, and answers the complete status", async () => {
    const complete = { status: 200, body: { id: "tus_abc", state: "complete", result: { versionId: "ver_1", version: "1.0.0" } } };
    const { api, uploadUrl, requests } = await statusServer([
      verifying,
      { status: 503, body: { error: { code: "unavailable", message: "busy" } } },
      verifying,
      complete,
    ]);
    const status = await awaitVerification({ api, token: "plz_t", uploadUrl, poll });
    expect(status).toEqual(complete.body);
    expect(requests).toHaveLength(4);
    expect(requests.every((r) => r.url === "/v1/tus/tus_abc" && r.authorization === "Bearer plz_t" && r.tusResumable === "1.0.0")).toBe(
      true,
    );
  });

  it("a failed upload is the server's 422 with its reason", async () => {
    const reason = "The file's SHA-256 is 00, not the declared 11; it was deleted";
    const { api, uploadUrl } = await statusServer([
      verifying,
      { status: 422, body: { error: { code: "unprocessable", message: reason } } },
    ]);
    const failure = await awaitVerification({ api, token: "plz_t", uploadUrl, poll }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 422, code: "unprocessable", message: reason });
  });

  it("gives up with a clear error once the deadline passes while it is still verifying", async () => {
    const { api, uploadUrl, requests } = await statusServer([verifying]);
    const failure = await awaitVerification({ api, token: "plz_t", uploadUrl, poll: { ...poll, deadlineMs: 60 } }).catch(
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(CliError);
    expect((failure as Error).message).toMatch(/still verifying/);
    expect(requests.length).toBeGreaterThan(1);
  });
});

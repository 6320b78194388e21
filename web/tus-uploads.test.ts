/**
 * Resumable uploads with a real tus client (tus-js-client, as the CLI and Uppy use it) against
 * `wrangler dev` with local R2 and D1: a 64 MiB asset sent in irregular chunk sizes, cut off
 * mid-PATCH and resumed from HEAD's offset, stored byte for byte; a wrong per-PATCH checksum (460,
 * nothing stored); two PATCHes racing at one offset; termination; expiry and the maintenance job;
 * a bundle that becomes a version.
 */
import { createHash, randomBytes } from "node:crypto";
import * as tus from "tus-js-client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { eventually } from "../scripts/lib/eventually";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { startRelay } from "../scripts/lib/tcp-relay.mjs";
import { ephemeralSecrets, startWranglerDev } from "../scripts/lib/wrangler-dev.mjs";
import type { OrgT } from "../shared/api";
import { encodeUploadMetadata, TUS_ENDPOINT } from "../shared/uploads";

const MiB = 1024 * 1024;
const RUN = Date.now().toString(36);
const author = { name: "Tess Uploader", email: `tus-${RUN}@example.com`, password: "resumable all the way" };
/** Short, so that the expiry test waits seconds, not a day; every other upload PATCHes well within it. */
const TTL_SECONDS = 10;

let server: Awaited<ReturnType<typeof startWranglerDev>>;
const { api, signUpAndLogIn } = plazaApi(() => server.url);
let token: string;
let orgId: string;
let projectId: string;

beforeAll(async () => {
  server = await startWranglerDev({
    secrets: ephemeralSecrets(),
    testScheduled: true,
    vars: { TUS_UPLOAD_TTL_SECONDS: String(TTL_SECONDS) },
  });
  token = await signUpAndLogIn(author);
  const org = await api<OrgT>("POST", "/v1/orgs", { name: "Tus Works", slug: `tus-${RUN}` }, token);
  expectStatus(org, 201, "create the org");
  orgId = org.body.id;
  const project = await api<{ id: string }>("POST", `/v1/orgs/${orgId}/projects`, { name: "Big files" }, token);
  expectStatus(project, 201, "create the project");
  projectId = project.body.id;
  relay = await startRelay(new URL(server.url));
});

afterAll(async () => {
  await relay?.close();
  await server?.stop();
});

let relay: Awaited<ReturnType<typeof startRelay>>;

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** GET on the upload once the server has verified it (its SHA-256 checked and the file adopted, off the last PATCH). */
const verified = <T>(url: string) =>
  eventually("the upload to be verified", async () => {
    const status = await api<T & { state: string }>("GET", new URL(url).pathname, undefined, token);
    return status.body.state !== "verifying" && status;
  });
const sha256Base64 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("base64");

function tusRequest(method: string, url: string, headers: Record<string, string> = {}, body?: Uint8Array) {
  return fetch(new URL(url, server.url), {
    method,
    headers: {
      "tus-resumable": "1.0.0",
      authorization: `Bearer ${token}`,
      ...(body ? { "content-type": "application/offset+octet-stream" } : {}),
      ...headers,
    },
    body: body ? new Uint8Array(body) : undefined,
  });
}

const headOffset = async (url: string) => {
  const res = await tusRequest("HEAD", url);
  expect(res.status).toBe(200);
  return Number(res.headers.get("upload-offset"));
};

async function createRaw(length: number, metadata: Record<string, string>) {
  const res = await tusRequest("POST", TUS_ENDPOINT, {
    "upload-length": String(length),
    "upload-metadata": encodeUploadMetadata(metadata),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.headers.get("location")!;
}

const assetMetadata = (filename: string, file?: Uint8Array) => ({
  kind: "asset",
  project: projectId,
  filename,
  filetype: "application/octet-stream",
  ...(file ? { sha256: sha256(file) } : {}),
});

interface Run {
  uploadUrl?: string;
  chunkSize: number;
  metadata: Record<string, string>;
  /** Without it (or `cutOff`) the client stops (no termination) after one PATCH. */
  untilDone?: boolean;
  /** creation-with-upload: the first chunk goes in the POST. */
  uploadDataDuringCreation?: boolean;
  /** The run is expected to fail (its connection is cut): no retries, and its error ends it. */
  cutOff?: boolean;
}

/** One tus-js-client run over `file`: answers the upload URL when it stops or finishes. */
function runClient(file: Buffer, run: Run): Promise<string> {
  return new Promise((resolve, reject) => {
    const stop = () => upload.abort().then(() => resolve(upload.url!), reject);
    const upload = new tus.Upload(file, {
      endpoint: `${server.url}${TUS_ENDPOINT}`,
      uploadUrl: run.uploadUrl ?? null,
      chunkSize: run.chunkSize,
      uploadDataDuringCreation: run.uploadDataDuringCreation ?? false,
      metadata: run.metadata,
      headers: { authorization: `Bearer ${token}` },
      // 409 while a cut-off PATCH is still being saved: the client re-reads HEAD and goes on.
      retryDelays: run.cutOff ? [] : [0, 200, 500, 1000, 2000, 4000],
      storeFingerprintForResuming: false,
      onChunkComplete: () => {
        if (!run.untilDone && !run.cutOff) stop();
      },
      onSuccess: () => resolve(upload.url!),
      onError: (err) => (run.cutOff ? resolve(upload.url!) : reject(err)),
    });
    upload.start();
  });
}

describe("tus-js-client against wrangler dev", () => {
  test("64 MiB in irregular chunks, cut off mid-PATCH, resumed from HEAD's offset: the stored asset is the file", async () => {
    const file = randomBytes(64 * MiB);
    const metadata = assetMetadata("big.bin", file);
    let url: string | undefined;
    let sent = 0;
    for (const chunkSize of [3 * MiB, 7 * MiB, 1, 11 * MiB, 5 * MiB + 3, 2 * MiB - 7]) {
      url = await runClient(file, { uploadUrl: url, chunkSize, metadata });
      sent += chunkSize;
      expect(await headOffset(url)).toBe(sent);
    }
    // The network fails 12 MiB into a 20 MiB PATCH. The Worker stores each full part at once and, when it
    // notices the lost connection, the bytes after the last part too: HEAD's offset ends past `sent`,
    // off a part boundary (8 MiB, the Worker's part size), and within what the relay let through.
    relay.cutAfter(12 * MiB);
    await runClient(file, { uploadUrl: new URL(new URL(url!).pathname, relay.origin).href, chunkSize: 20 * MiB, metadata, cutOff: true });
    relay.cutAfter(Number.POSITIVE_INFINITY);
    const resumedAt = await eventually("every byte of the cut-off PATCH that arrived to be kept", async () => {
      const offset = await headOffset(url!);
      return offset > sent && offset % (8 * MiB) !== 0 && offset;
    });
    expect(resumedAt).toBeLessThan(sent + 12 * MiB);
    await runClient(file, { uploadUrl: url, chunkSize: 16 * MiB, metadata, untilDone: true });

    const status = await verified<{ result: { asset: { name: string; sha256: string; size: number; state: string } } }>(url!);
    // Not an image: nothing to process, so the asset is ready as the upload completes.
    expect(status.body).toMatchObject({
      state: "complete",
      result: { asset: { name: "big.bin", sha256: sha256(file), size: file.length, state: "ready", failure: null } },
    });
    const stored = await fetch(`${server.url}/v1/orgs/${orgId}/projects/${projectId}/assets/big.bin`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(stored.status).toBe(200);
    expect(sha256(new Uint8Array(await stored.arrayBuffer()))).toBe(sha256(file));
  });

  test("a PATCH whose Upload-Checksum is wrong is 460 and stores nothing; the right one is stored", async () => {
    const bytes = randomBytes(3 * MiB);
    const url = await createRaw(bytes.length, assetMetadata("checked.bin"));
    const wrong = await tusRequest(
      "PATCH",
      url,
      { "upload-offset": "0", "upload-checksum": `sha256 ${sha256Base64(randomBytes(8))}` },
      bytes,
    );
    expect(wrong.status).toBe(460);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe("checksum_mismatch");
    expect(await headOffset(url)).toBe(0);
    const right = await tusRequest("PATCH", url, { "upload-offset": "0", "upload-checksum": `sha256 ${sha256Base64(bytes)}` }, bytes);
    expect(right.status).toBe(204);
    expect(right.headers.get("upload-offset")).toBe(String(bytes.length));
  });

  test("two PATCHes at the same offset: one is stored, the other gets 409, and the file is right", async () => {
    const file = randomBytes(12 * MiB);
    const url = await createRaw(file.length, assetMetadata("raced.bin", file));
    const first = file.subarray(0, 9 * MiB);
    const answers = await Promise.all([0, 1].map(() => tusRequest("PATCH", url, { "upload-offset": "0" }, first)));
    expect(answers.map((a) => a.status).sort()).toEqual([204, 409]);
    expect(await headOffset(url)).toBe(first.length);
    expect((await tusRequest("PATCH", url, { "upload-offset": String(first.length) }, file.subarray(first.length))).status).toBe(204);
    const status = await verified<{ result: { asset: { sha256: string } } }>(url);
    expect(status.body.result.asset.sha256).toBe(sha256(file));
  });

  test("termination (the client's abort(true)) deletes the upload", async () => {
    const file = randomBytes(10 * MiB);
    const url = await runClient(file, { chunkSize: 9 * MiB, metadata: assetMetadata("dropped.bin") });
    expect(await headOffset(url)).toBe(9 * MiB);
    await tus.Upload.terminate(url, { headers: { authorization: `Bearer ${token}` } });
    expect((await tusRequest("HEAD", url)).status).toBe(404);
  });

  test("an upload left alone expires (410) and the maintenance job removes it", async () => {
    const url = await createRaw(2 * MiB, assetMetadata("abandoned.bin"));
    expect((await tusRequest("PATCH", url, { "upload-offset": "0" }, randomBytes(MiB))).status).toBe(204);
    await eventually("the upload to expire", async () => (await tusRequest("HEAD", url)).status === 410, {
      timeoutMs: (TTL_SECONDS + 30) * 1000,
      intervalMs: 500,
    });
    await eventually("the maintenance job to remove it", async () => {
      expect((await fetch(`${server.url}/__scheduled?cron=*+*+*+*+*`)).ok).toBe(true);
      return (await tusRequest("HEAD", url)).status === 404;
    });
  });

  test("a bundle uploaded over tus (its first chunk in the POST) becomes a version with its SHA-256", async () => {
    const slug = `tus-bundle-${RUN}`;
    const item = await api<{ id: string }>(
      "POST",
      `/v1/orgs/${orgId}/items`,
      { slug, name: "Tus bundle", category: "productivity" },
      token,
    );
    expectStatus(item, 201, "create the item");
    const bundle = randomBytes(MiB + 17);
    const manifest = {
      name: slug,
      version: "1.0.0",
      entry: "dist/index.js",
      permissions: [],
      engines: { plaza: "^1.0.0" },
      dependencies: {},
    };
    const url = await runClient(bundle, {
      chunkSize: 512 * 1024,
      untilDone: true,
      uploadDataDuringCreation: true,
      metadata: {
        kind: "bundle",
        item: slug,
        version: "1.0.0",
        manifest: JSON.stringify(manifest),
        sha256: sha256(bundle),
        filename: "bundle.tar.gz",
      },
    });
    expect((await verified<{ result: { version: string } }>(url)).body).toMatchObject({ state: "complete", result: { version: "1.0.0" } });
    const versions = await api<{ data: { version: string; sha256: string; size: number }[] }>(
      "GET",
      `/v1/orgs/${orgId}/items/${item.body.id}/versions`,
      undefined,
      token,
    );
    expect(versions.body.data).toEqual([expect.objectContaining({ version: "1.0.0", sha256: sha256(bundle), size: bundle.length })]);
  });
});

// A 256 MiB resumable upload over tus (POST /v1/tus, then 8 MiB PATCHes: claims and parts recorded
// in D1, each part written to the upload's R2 multipart upload, on the last byte the multipart
// completed and the upload queued as `verifying`) against the same bytes written by a bare R2
// multipart upload (POST /__bench/r2-multipart, an 8 MiB PUT per part streamed into uploadPart,
// complete), alternating, in the same run.
//
// Two times per tus upload: until the bytes are stored (the last PATCH's 204) and until the file is
// verified and adopted (GET on the upload, polled, says `complete`: the plaza-uploads consumer
// streamed its SHA-256 and added the asset). The GOAL METRIC is the first, "stored": it ends where
// the baseline ends (R2 holds the assembled object) and is what a client's requests wait for; the
// second includes re-reading the whole file, which the bare baseline never does, and is printed
// with its own ratio to show what verification costs end to end.
import { createHash, randomBytes } from "node:crypto";
import { call, createSignedInUserWithOrg } from "./lib/plaza-api.mjs";
import { fmt, ratioAgainstGoal, table } from "./lib/print.mjs";

export const description =
  "256 MiB upload over tus in 8 MiB PATCHes vs a bare R2 multipart upload of the same bytes (MiB/s ratio until stored, goal ≥ 0.7; also until verified)";

const UPLOAD_GOAL = 0.7;
const MiB = 1024 * 1024;
const UPLOAD_MIB = Number(process.env.BENCH_UPLOAD_MIB ?? 256);
const ROUNDS = Number(process.env.BENCH_UPLOAD_ROUNDS ?? 2);
/** The Worker's part size (PART_SIZE in worker/src/uploads/storage.ts): each PATCH is one part. */
const CHUNK = 8 * MiB;

const mibps = (bytes, ms) => bytes / MiB / (ms / 1000);
const fmtMibps = (v) => `${v.toFixed(1)} MiB/s`;

/** One request that must answer `status`; returns the response. */
async function expectFetch(url, init, status, what) {
  const res = await fetch(url, init);
  if (res.status !== status) throw new Error(`${what} → ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return res;
}

/** How often the bench asks whether a stored upload is verified (the CLI and the web app back off; the bench wants the moment). */
const VERIFY_POLL_MS = 50;
const VERIFY_DEADLINE_MS = 10 * 60_000;

/** GET on the upload until it is no longer `verifying`; answers its status. */
async function verifiedStatus(url, token, path) {
  const deadline = Date.now() + VERIFY_DEADLINE_MS;
  for (;;) {
    const status = await call(url, "GET", path, { token });
    if (status.state !== "verifying") return status;
    if (Date.now() > deadline) throw new Error(`the tus upload ${path} was still verifying after ${VERIFY_DEADLINE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, VERIFY_POLL_MS));
  }
}

/**
 * The tus upload, as a client does it: create, then PATCH chunk after chunk until the last PATCH is
 * answered (stored), then GET until it is verified and adopted.
 */
async function uploadOverTus(url, token, projectId, file, sha256, name) {
  const tus = { "tus-resumable": "1.0.0", authorization: `Bearer ${token}` };
  const metadata = { kind: "asset", project: projectId, filename: name, filetype: "application/octet-stream", sha256 };
  const encoded = Object.entries(metadata)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString("base64")}`)
    .join(",");
  const started = performance.now();
  const created = await expectFetch(
    `${url}/v1/tus`,
    { method: "POST", headers: { ...tus, "upload-length": String(file.length), "upload-metadata": encoded } },
    201,
    "POST /v1/tus",
  );
  const location = new URL(created.headers.get("location"), url).href;
  let lastPatchStarted = started;
  for (let offset = 0; offset < file.length; offset += CHUNK) {
    const chunk = file.subarray(offset, offset + CHUNK);
    lastPatchStarted = performance.now();
    await expectFetch(
      location,
      {
        method: "PATCH",
        headers: { ...tus, "upload-offset": String(offset), "content-type": "application/offset+octet-stream" },
        body: chunk,
      },
      204,
      `PATCH at ${offset}`,
    );
  }
  const stored = performance.now();
  const status = await verifiedStatus(url, token, new URL(location).pathname);
  const verified = performance.now();
  if (status.state !== "complete" || status.result?.asset?.sha256 !== sha256) {
    throw new Error(`the tus upload ended ${status.state} with ${JSON.stringify(status.result)}, not the complete asset ${sha256}`);
  }
  // The last PATCH also completes the multipart upload; the queue then hashes the whole file and adds the asset.
  return { ms: stored - started, lastPatchMs: stored - lastPatchStarted, verifiedMs: verified - started };
}

/** The baseline: the same chunks, each one R2 part, through the bench routes. */
async function uploadBare(url, file, key) {
  const started = performance.now();
  const { uploadId } = await call(url, "POST", `/__bench/r2-multipart?key=${encodeURIComponent(key)}`);
  const parts = [];
  for (let offset = 0, partNumber = 1; offset < file.length; offset += CHUNK, partNumber++) {
    const query = `key=${encodeURIComponent(key)}&uploadId=${encodeURIComponent(uploadId)}`;
    const res = await expectFetch(
      `${url}/__bench/r2-multipart/${partNumber}?${query}`,
      { method: "PUT", body: file.subarray(offset, offset + CHUNK) },
      200,
      `PUT part ${partNumber}`,
    );
    parts.push(await res.json());
  }
  const { size } = await call(url, "POST", "/__bench/r2-multipart/complete", { body: { key, uploadId, parts } });
  const ms = performance.now() - started;
  if (size !== file.length) throw new Error(`the bare multipart upload stored ${size} bytes, not ${file.length}`);
  await expectFetch(`${url}/__bench/r2/${key}`, { method: "DELETE" }, 204, "DELETE the baseline's object");
  return ms;
}

export async function run({ worker, log }) {
  const { url } = await worker();
  const author = await createSignedInUserWithOrg(url);
  const project = await call(url, "POST", `/v1/orgs/${author.orgId}/projects`, {
    token: author.accessToken,
    body: { name: "Uploads bench" },
  });
  const file = randomBytes(UPLOAD_MIB * MiB);
  const sha256 = createHash("sha256").update(file).digest("hex");
  log(`${UPLOAD_MIB} MiB of random bytes in ${Math.ceil(file.length / CHUNK)} requests of 8 MiB; ${ROUNDS} rounds, bare then tus`);

  const runs = { bare: [], tus: [], tusLastPatch: [], tusVerified: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    const bareMs = await uploadBare(url, file, `bench/uploads/${Date.now()}-${round}`);
    runs.bare.push(bareMs);
    log(`  bare R2 multipart  ${fmt.ms(bareMs).padStart(11)}  ${fmtMibps(mibps(file.length, bareMs)).padStart(12)}`);
    const tus = await uploadOverTus(url, author.accessToken, project.id, file, sha256, `bench-${round}.bin`);
    runs.tus.push(tus.ms);
    runs.tusLastPatch.push(tus.lastPatchMs);
    runs.tusVerified.push(tus.verifiedMs);
    log(
      `  tus (8 MiB PATCH)  ${fmt.ms(tus.ms).padStart(11)}  ${fmtMibps(mibps(file.length, tus.ms)).padStart(12)}  (last PATCH: ${fmt.ms(tus.lastPatchMs)}; verified and adopted after ${fmt.ms(tus.verifiedMs)})`,
    );
  }
  const total = (list) => list.reduce((a, b) => a + b, 0);
  const bareRate = mibps(file.length * ROUNDS, total(runs.bare));
  const tusRate = mibps(file.length * ROUNDS, total(runs.tus));
  const ratio = tusRate / bareRate;
  const verifiedRate = mibps(file.length * ROUNDS, total(runs.tusVerified));
  const verifiedRatio = verifiedRate / bareRate;
  // Where the time goes: the PATCHes before the last (claims, parts, D1) against the last (its part, R2 completing the multipart).
  const patchRate = mibps((file.length - CHUNK) * ROUNDS, total(runs.tus) - total(runs.tusLastPatch));
  log();
  log(
    table(
      ["", "throughput"],
      [
        ["baseline: bare R2 multipart (all rounds)", fmtMibps(bareRate)],
        ["target:   tus upload, bytes stored (last PATCH answered)", fmtMibps(tusRate)],
        ["  of it, the PATCHes before the last", fmtMibps(patchRate)],
        ["tus upload, verified and adopted (GET says complete)", fmtMibps(verifiedRate)],
      ],
    ),
  );
  log(
    `the PATCHes before the last ÷ bare: ${fmt.ratio(patchRate / bareRate)}; the last PATCH (last part, complete the multipart, queue) took ${fmt.ms(total(runs.tusLastPatch) / ROUNDS)} on average`,
  );
  log(`ratio tus verified and adopted ÷ bare R2 multipart (no goal: the baseline never re-reads the file): ${fmt.ratio(verifiedRatio)}`);
  log(`ratio tus stored ÷ bare R2 multipart (the goal metric): ${ratioAgainstGoal(ratio, UPLOAD_GOAL)}`);
  return {
    metrics: [
      { name: "bare R2 multipart", value: bareRate, display: fmtMibps(bareRate) },
      { name: "tus upload", value: tusRate, display: fmtMibps(tusRate) },
      { name: "ratio tus ÷ bare R2 multipart", value: ratio, display: ratioAgainstGoal(ratio, UPLOAD_GOAL) },
      { name: "tus upload verified and adopted", value: verifiedRate, display: fmtMibps(verifiedRate) },
      { name: "ratio tus verified ÷ bare R2 multipart", value: verifiedRatio, display: fmt.ratio(verifiedRatio) },
      { name: "ratio PATCHes before the last ÷ bare", value: patchRate / bareRate, display: fmt.ratio(patchRate / bareRate) },
    ],
    details: { uploadMiB: UPLOAD_MIB, chunkMiB: CHUNK / MiB, rounds: ROUNDS, runsMs: runs },
  };
}

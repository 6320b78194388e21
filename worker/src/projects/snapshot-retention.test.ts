import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { orgFixture } from "../../test/fixtures";
import { jobContext, runJobs } from "../../test/jobs";
import { createProject } from "../../test/rooms";
import { newId } from "../crypto/random";
import { createDb } from "../db/client";
import { ACTIVE_PROJECT_MS, AUTO_SNAPSHOTS_KEPT, HOURLY_SNAPSHOTS_FOR_MS, thinProjectSnapshots } from "./snapshot-retention";
import { projectSnapshots } from "./tables";

const HOUR = 3_600_000;

it("keeps manual and restore snapshots, the newest 50 auto ones, and the last auto one per hour (a week) or per day (older)", async () => {
  const fx = await orgFixture();
  const { id: projectId } = (await createProject(fx.owner, fx.orgId)).body;
  const db = createDb(env.DB);
  const now = Date.UTC(2026, 11, 1, 12, 0, 0);
  const rows: (typeof projectSnapshots.$inferInsert)[] = [];
  const add = (createdAt: number, reason: "auto" | "manual" | "restore" = "auto", r2 = false) => {
    const id = newId("projectSnapshot");
    rows.push({
      id,
      projectId,
      orgId: fx.orgId,
      reason,
      sizeBytes: 1,
      sha256: "0".repeat(64),
      body: r2 ? null : Buffer.from([0]),
      r2Key: r2 ? `projects/${projectId}/snapshots/${id}` : null,
      createdAt,
    });
    return id;
  };
  // The newest 50 autos, one a minute within the last hour (kept, however many share an hour).
  const newest = Array.from({ length: AUTO_SNAPSHOTS_KEPT }, (_, i) => add(now - i * 60_000));
  // Two days ago: 3 autos in one hour (one kept), one in R2 among the doomed.
  const hourStart = Math.floor((now - 2 * 86_400_000) / HOUR) * HOUR;
  const hourKept = add(hourStart + 30 * 60_000);
  const hourDoomed = [add(hourStart + 10 * 60_000, "auto", true), add(hourStart + 20 * 60_000)];
  // Thirty days ago: 3 autos on one day in different hours (one kept), and a manual one (kept).
  const dayStart = Math.floor((now - HOURLY_SNAPSHOTS_FOR_MS - 23 * 86_400_000) / 86_400_000) * 86_400_000;
  const dayKept = add(dayStart + 20 * HOUR);
  const dayDoomed = [add(dayStart + 1 * HOUR), add(dayStart + 5 * HOUR)];
  const manual = add(dayStart + 2 * HOUR, "manual");
  const restore = add(dayStart + 3 * HOUR, "restore");
  for (let i = 0; i < rows.length; i += 10) await db.insert(projectSnapshots).values(rows.slice(i, i + 10));
  await env.BUCKET.put(`projects/${projectId}/snapshots/${hourDoomed[0]}`, new Uint8Array([1]));

  const processed = await thinProjectSnapshots(jobContext(env, now));
  expect(processed).toBe(hourDoomed.length + dayDoomed.length);
  const left = (
    await env.DB.prepare("SELECT id FROM project_snapshots WHERE project_id = ?").bind(projectId).all<{ id: string }>()
  ).results.map((r) => r.id);
  expect(left.sort()).toEqual([...newest, hourKept, dayKept, manual, restore].sort());
  expect(await env.BUCKET.head(`projects/${projectId}/snapshots/${hourDoomed[0]}`)).toBeNull();
  // Idempotent: nothing more to thin.
  expect(await thinProjectSnapshots(jobContext(env, now))).toBe(0);
  expect((await runJobs(now + 1, env))["thin-project-snapshots"]).toEqual({ status: "succeeded", processed: 0 });
});

it("looks only at projects with a snapshot in the last two weeks: a project quiet for longer is left as its last thinning left it", async () => {
  const fx = await orgFixture();
  const db = createDb(env.DB);
  const now = Date.UTC(2026, 11, 2, 12, 0, 0);
  const autosOn = async (projectId: string, day: number) => {
    // 60 autos a minute apart on one day: more than the newest 50, all in one hour and one day.
    const rows = Array.from({ length: AUTO_SNAPSHOTS_KEPT + 10 }, (_, i) => ({
      id: newId("projectSnapshot"),
      projectId,
      orgId: fx.orgId,
      reason: "auto" as const,
      sizeBytes: 1,
      sha256: "0".repeat(64),
      body: Buffer.from([0]),
      r2Key: null,
      createdAt: day + i * 60_000,
    }));
    for (let i = 0; i < rows.length; i += 10) await db.insert(projectSnapshots).values(rows.slice(i, i + 10));
  };
  const [{ body: quiet }, { body: lately }] = [await createProject(fx.owner, fx.orgId), await createProject(fx.owner, fx.orgId)];
  await autosOn(quiet.id, now - ACTIVE_PROJECT_MS - 86_400_000);
  await autosOn(lately.id, now - ACTIVE_PROJECT_MS + 86_400_000);
  const count = async (projectId: string) =>
    (await env.DB.prepare("SELECT count(*) AS n FROM project_snapshots WHERE project_id = ?").bind(projectId).first<{ n: number }>())!.n;

  expect(await thinProjectSnapshots(jobContext(env, now))).toBe(10);
  // The recent project lost the 10 beyond its newest 50 (all on their day, which the newest already has); the quiet one was not read.
  expect([await count(lately.id), await count(quiet.id)]).toEqual([AUTO_SNAPSHOTS_KEPT, AUTO_SNAPSHOTS_KEPT + 10]);
});

/**
 * A deleted project's room must close every socket (4404) and delete its storage (up to the
 * document cap, 5 MB, per project). The teardown is owed from the batch that deletes the project
 * (a room_teardowns row, the `project.deleted` handler's statement), asked for once the deletion
 * committed, and crossed off only when the room confirms; what a room could not confirm,
 * maintenance asks again on every tick until it does.
 */
import { asc, eq, sql } from "drizzle-orm";
import type { Ctx } from "../context";
import type { Db } from "../db/client";
import type { Job } from "../module";
import { askRoomToTearDown } from "./control";
import { roomTeardowns } from "./tables";

/** The statement that makes the teardown owed: it goes into the batch that deletes the project. */
export function teardownOwed(db: Db, project: { projectId: string; orgId: string }, now = Date.now()) {
  return db.insert(roomTeardowns).values({ projectId: project.projectId, orgId: project.orgId, requestedAt: now }).onConflictDoNothing();
}

/** Asks each room to tear down; answers how many confirmed (their rows are gone), the rest count an attempt. */
export async function tearDownRooms(ctx: Pick<Ctx, "env" | "db" | "log">, projectIds: string[], now = Date.now()): Promise<number> {
  const { env, db } = ctx;
  const outcomes = await Promise.all(
    projectIds.map(async (projectId) => {
      try {
        await askRoomToTearDown(env, projectId);
        await db.delete(roomTeardowns).where(eq(roomTeardowns.projectId, projectId));
        return true;
      } catch (err) {
        ctx.log("warn", "room teardown not confirmed; maintenance retries it", { roomId: projectId, error: String(err) });
        await db
          .update(roomTeardowns)
          .set({ attempts: sql`${roomTeardowns.attempts} + 1`, lastAttemptAt: now, lastError: String(err).slice(0, 500) })
          .where(eq(roomTeardowns.projectId, projectId));
        return false;
      }
    }),
  );
  return outcomes.filter(Boolean).length;
}

/** Each a control request: a tick stays well inside a Worker's subrequest limit; the next tick goes on. */
const TEARDOWNS_PER_TICK = 50;

/** Maintenance: owed teardowns, oldest first; answers how many rooms confirmed. */
export const retryRoomTeardowns: Job = async (ctx) => {
  const owed = await ctx.db
    .select({ projectId: roomTeardowns.projectId })
    .from(roomTeardowns)
    .orderBy(asc(roomTeardowns.requestedAt))
    .limit(Math.min(ctx.batchSize, TEARDOWNS_PER_TICK));
  return tearDownRooms(
    ctx,
    owed.map((r) => r.projectId),
    ctx.now,
  );
};

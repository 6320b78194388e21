import { inArray } from "drizzle-orm";
import { operatorAccounts } from "../auth";
import type { Statement } from "../context";
import { derivedId } from "../crypto/random";
import { enqueueMail, mailInsert } from "../mail";
import { type FailingJob, jobsFailedTwiceInARow } from "../maintenance";
import type { Job } from "../module";
import { markDeadLettersAlerted, type UnalertedDeadLetters, unalertedDeadLetters } from "./dead-letters";
import { operatorAlertMail } from "./mail";
import { operatorAlerts } from "./tables";

/** How far back each tick looks for failed runs: a few ticks, so a tick the cron skipped loses nothing. */
const FAILED_RUNS_LOOKBACK_MS = 30 * 60_000;
/** Dead letters listed in one alert; the rest are counted per queue. */
const LISTED = 20;

interface Alert {
  key: string;
  kind: "dead_letters" | "job_failing";
  subject: string;
  lines: string[];
}

function deadLettersAlert(now: number, { perQueue, oldest, total: n }: UnalertedDeadLetters): Alert {
  return {
    key: `dead_letters:${now}`,
    kind: "dead_letters",
    subject: `Plaza: ${n} message${n === 1 ? "" : "s"} reached a dead-letter queue`,
    lines: [
      "Their retries ran out; the domain rows they were about are marked failed (see the operator console).",
      ...perQueue.map((q) => `${q.queue}: ${q.n}`),
      "",
      ...oldest.map((l) => `${new Date(l.recordedAt).toISOString()} ${l.queue} ${l.messageId} ${l.about}`),
      ...(n > oldest.length ? [`…and ${n - oldest.length} more`] : []),
    ],
  };
}

const jobFailingAlert = (f: FailingJob): Alert => ({
  key: `job_failing:${f.job}:${f.lastSuccessId ?? "never"}`,
  kind: "job_failing",
  subject: `Plaza: the job ${f.job} failed twice in a row`,
  lines: [
    `Its last two runs failed, the newest on the tick of ${new Date(f.failedAt).toISOString()}.`,
    `Error: ${f.error ?? "(none recorded)"}`,
    "You are told once until it succeeds again; its runs are on the operator console's Jobs page.",
  ],
});

/**
 * E-mails every operator once per new condition: dead letters recorded since the last alert (one
 * mail for all of them), and each job whose two newest runs failed (once per failing streak: the
 * streak is named by the job's newest success, so a job that recovers and fails twice again is
 * mailed again). The alert row, the mails (ids derived from alert and operator) and the dead
 * letters' `alerted_at` are written in one batch, so a run that is repeated mails nobody twice.
 */
export const alertOperators: Job = async (ctx) => {
  const { db, now } = ctx;
  const [letters, failing, operators] = await Promise.all([
    unalertedDeadLetters(db, now, LISTED),
    jobsFailedTwiceInARow(db, now - FAILED_RUNS_LOOKBACK_MS),
    operatorAccounts(db),
  ]);
  // Nobody to tell yet: the dead letters wait for the first operator.
  if (operators.length === 0) return 0;
  const candidates = [...failing.map(jobFailingAlert), ...(letters.total ? [deadLettersAlert(now, letters)] : [])];
  if (candidates.length === 0) return 0;
  const known = new Set(
    (
      await db
        .select({ key: operatorAlerts.key })
        .from(operatorAlerts)
        .where(
          inArray(
            operatorAlerts.key,
            candidates.map((a) => a.key),
          ),
        )
    ).map((r) => r.key),
  );
  const fresh = candidates.filter((a) => !known.has(a.key));
  const statements: Statement[] = [];
  const mailIds: string[] = [];
  for (const alert of fresh) {
    statements.push(
      db.insert(operatorAlerts).values({ key: alert.key, kind: alert.kind, subject: alert.subject, createdAt: now }).onConflictDoNothing(),
    );
    for (const operator of operators) {
      const id = await derivedId("mail", `operator-alert:${alert.key}:${operator.id}`);
      const mail = operatorAlertMail(ctx.env.APP_URL, alert);
      statements.push((await mailInsert(ctx, { id, to: operator.email, mail })).insert.onConflictDoNothing());
      mailIds.push(id);
    }
  }
  if (letters.total) statements.push(markDeadLettersAlerted(db, now, now));
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
  await enqueueMail(ctx, mailIds);
  return fresh.length;
};

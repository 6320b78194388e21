// The e2e project's setup file (e2e-cleanup.mjs) stops what a test file started even when the
// file lost every handle to it: a real vitest run of test-fixtures/leaves-processes.fixture.ts,
// whose beforeAll starts two process groups and times out, and whose afterAll fails.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
// @ts-expect-error: plain .mjs helpers without type declarations
import { processesMarked, stopMarked } from "./owned-processes.mjs";
// @ts-expect-error: plain .mjs helpers without type declarations
import { NODE22, ROOT } from "./processes.mjs";
import { WAIT } from "./wait-budgets.mjs";

/** Set only for the fixture's run: finds what it started, independently of the mark under test. */
const FIXTURE_ENV = "PLAZA_CLEANUP_FIXTURE";

function runFixture(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun, reject) => {
    const args = [join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--config", "scripts/lib/test-fixtures/vitest.config.mjs"];
    const child = spawn(NODE22, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: WAIT.serverStart,
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code) => resolveRun({ code, output }));
  });
}

it("stops both process groups, leaders and children, after the file's beforeAll timed out and its afterAll failed", async () => {
  const marker = randomUUID();
  const marked = (value: string) => value === marker;
  const dir = mkdtempSync(join(tmpdir(), "plaza-cleanup-fixture-"));
  const pidsFile = join(dir, "pids");
  try {
    const { code, output } = await runFixture({ [FIXTURE_ENV]: marker, FIXTURE_PIDS_FILE: pidsFile });
    expect(code, output).toBe(1);
    expect(output).toContain("Hook timed out");
    expect(output).toContain("an afterAll that fails");
    const started = readFileSync(pidsFile, "utf8").trim().split(/\s+/).map(Number);
    expect(started).toHaveLength(4);
    const alive = processesMarked(FIXTURE_ENV, marked).map((p: { pid: number }) => p.pid);
    expect(
      alive.filter((pid: number) => started.includes(pid)),
      output,
    ).toEqual([]);
    expect(alive, output).toEqual([]);
  } finally {
    await stopMarked(FIXTURE_ENV, marked);
    rmSync(dir, { recursive: true, force: true });
  }
});

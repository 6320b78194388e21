// A test file that loses track of what it started, run by scripts/lib/e2e-cleanup.test.ts: its
// beforeAll starts two process groups the way the server helpers do (a leader with a child of its
// own, like wrangler dev and its workerd), writes their pids to FIXTURE_PIDS_FILE, then never
// returns, so the hook times out before any handle is kept; its afterAll fails as well.
import { appendFileSync } from "node:fs";
import { afterAll, beforeAll, test } from "vitest";
// @ts-expect-error: plain .mjs helpers without type declarations
import { startProcess } from "../processes.mjs";

/** A group leader that starts a child and both idle until stopped. */
const LEADER = `
const { spawn } = require("node:child_process");
const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 60_000)"], { stdio: "ignore" });
console.log(process.pid + " " + child.pid);
setInterval(() => {}, 60_000);
`;

beforeAll(async () => {
  for (const name of ["server a", "server b"]) {
    const proc = startProcess(name, "-e", [LEADER]);
    await new Promise<void>((resolve) =>
      proc.child.stdout.once("data", (pids: Buffer) => {
        appendFileSync(process.env.FIXTURE_PIDS_FILE!, `${String(pids).trim()}\n`);
        resolve();
      }),
    );
  }
  await new Promise(() => {});
});

afterAll(() => {
  throw new Error("an afterAll that fails, as a browser.close() on a crashed Chromium would");
});

test("never runs: its beforeAll timed out", () => {});

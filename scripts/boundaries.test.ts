/**
 * The boundary check (`npm run boundaries`, dependency-cruiser with .dependency-cruiser.cjs) passes on the
 * tree and fails on each kind of reach-in. The violations are planted in a copy of the sources, so the
 * servers other e2e files run (which watch worker/) never see them.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain .mjs helpers without type declarations
import { NODE22, ROOT } from "./lib/processes.mjs";

const CRUISER = join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruiser.mjs");
const SOURCES = ["worker/src", "shared", "party", "web/src"];

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Runs the check in `dir` (the repository's own, or a copy) and answers its violations. */
function violationsIn(dir: string): Violation[] {
  const run = spawnSync(NODE22, [CRUISER, "--config", ".dependency-cruiser.cjs", "--output-type", "json", ...SOURCES], {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (!run.stdout) throw new Error(`dependency-cruiser did not run: ${run.stderr}`);
  return JSON.parse(run.stdout).summary.violations;
}

let copy: string;
beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), "plaza-boundaries-"));
  for (const path of [...SOURCES, ".dependency-cruiser.cjs", "tsconfig.json"])
    cpSync(join(ROOT, path), join(copy, path), { recursive: true });
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

it("passes on the tree as it is", () => {
  expect(violationsIn(ROOT).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
});

describe("fails on", () => {
  const plant = (path: string, code: string) => writeFileSync(join(copy, path), code);

  it("a domain importing another domain's internals instead of its index.ts", () => {
    plant("worker/src/orgs/probe-reach-in.ts", 'export { catalogRoutes } from "../catalog/routes";\n');
    expect(violationsIn(copy)).toContainEqual(
      expect.objectContaining({ from: "worker/src/orgs/probe-reach-in.ts", rule: { name: "domain-internals", severity: "error" } }),
    );
  });

  it("a type-only import of another domain's internals", () => {
    plant("worker/src/orgs/probe-type-reach-in.ts", 'export type { VersionRow } from "../catalog/version-rows";\n');
    expect(violationsIn(copy)).toContainEqual(
      expect.objectContaining({ from: "worker/src/orgs/probe-type-reach-in.ts", rule: { name: "domain-internals", severity: "error" } }),
    );
  });

  it("the web app importing the Worker's code rather than its API types", () => {
    plant("web/src/probe-worker.ts", 'export { createApp } from "../../worker/src/app";\n');
    expect(violationsIn(copy)).toContainEqual(
      expect.objectContaining({ from: "web/src/probe-worker.ts", rule: { name: "web-uses-shared-and-api-types", severity: "error" } }),
    );
  });

  it("a domain reading another domain's tables", () => {
    plant("worker/src/audit/probe-tables.ts", 'export { items } from "../db/schema";\n');
    expect(violationsIn(copy)).toContainEqual(
      expect.objectContaining({ from: "worker/src/audit/probe-tables.ts", rule: { name: "tables-of-their-domain", severity: "error" } }),
    );
  });

  it("two domains importing each other", () => {
    plant("worker/src/audit/probe-cycle.ts", 'import "../webhooks";\nexport const probe = 1;\n');
    plant("worker/src/webhooks/probe-cycle.ts", 'import "../audit";\nexport const probe = 1;\n');
    plant("worker/src/audit/index.ts", 'import "./probe-cycle";\n');
    plant("worker/src/webhooks/index.ts", 'import "./probe-cycle";\n');
    expect(violationsIn(copy).map((v) => v.rule.name)).toContain("domain-cycles");
  });

  it("infrastructure importing a domain", () => {
    plant("worker/src/http/probe-infra.ts", 'export { ordersModule } from "../orders";\n');
    expect(violationsIn(copy)).toContainEqual(
      expect.objectContaining({
        from: "worker/src/http/probe-infra.ts",
        rule: { name: "infrastructure-knows-no-domain", severity: "error" },
      }),
    );
  });
});

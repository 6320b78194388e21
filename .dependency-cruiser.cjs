/**
 * Plaza's boundaries, checked by `npm run boundaries` (part of `npm run lint`, run by CI).
 *
 * worker/src holds infrastructure (db/, http/, crypto/, and the root files context.ts, env.ts,
 * module.ts) and one folder per domain. A domain reaches another only through that domain's
 * index.ts (its public functions and types); tables belong to the domain whose tables.ts
 * defines them. Infrastructure knows no domain: only the composition root (app.ts, index.ts,
 * modules.ts) and the bench module see them all.
 */
const INFRA = "(db|http|crypto)";
const ROOT_INFRA = "(context|env|module)\\.ts$";
const COMPOSITION = "^worker/src/(app|index|modules)\\.ts$";

module.exports = {
  forbidden: [
    {
      name: "domain-internals",
      comment: "Import another domain only through its index.ts (worker/src/<domain>/index.ts).",
      severity: "error",
      from: {
        path: "^worker/src/([^/]+)/",
        pathNot: [
          `^worker/src/${INFRA}/`,
          "^worker/src/bench/",
          "^worker/src/[^/]+/tables\\.ts$",
          "\\.test\\.tsx?$",
          "\\.authz\\.test-cases\\.ts$",
        ],
      },
      to: {
        path: "^worker/src/[^/]+/",
        pathNot: ["^worker/src/$1/", `^worker/src/${INFRA}/`, "^worker/src/[^/]+/index\\.ts$"],
      },
    },
    {
      name: "tables-reference-tables",
      comment: "Foreign keys: a tables.ts may name another domain's table in references(), nothing else of it.",
      severity: "error",
      from: { path: "^worker/src/[^/]+/tables\\.ts$" },
      to: { path: "^worker/src/[^/]+/", pathNot: ["^worker/src/[^/]+/tables\\.ts$", `^worker/src/${INFRA}/`] },
    },
    {
      name: "domain-cycles",
      comment: "No two domains may depend on each other, directly or around a loop: use a domain event (context.ts) instead.",
      severity: "error",
      from: { path: "^worker/src/", pathNot: ["\\.test\\.tsx?$", "\\.authz\\.test-cases\\.ts$"] },
      to: { circular: true, dependencyTypesNot: ["type-only"] },
    },
    {
      name: "tables-of-their-domain",
      comment:
        "The table registry (db/schema.ts) is for drizzle; a domain uses its own tables.ts, and other domains' data through their functions.",
      severity: "error",
      from: { path: "^worker/src/", pathNot: ["^worker/src/db/", "\\.test\\.tsx?$", "\\.authz\\.test-cases\\.ts$", "^worker/src/bench/"] },
      to: { path: "^worker/src/db/schema\\.ts$" },
    },
    {
      name: "infrastructure-knows-no-domain",
      comment: "db/, http/, crypto/ and the root context, env and module files serve every domain, so none of them may import one.",
      severity: "error",
      from: { path: [`^worker/src/${INFRA}/`, `^worker/src/${ROOT_INFRA}`], pathNot: ["\\.test\\.tsx?$", "^worker/src/db/schema\\.ts$"] },
      to: { path: "^worker/src/[^/]+/", pathNot: [`^worker/src/${INFRA}/`] },
    },
    {
      name: "composition-root-only",
      comment: "Only the composition root lists the modules.",
      severity: "error",
      from: { path: "^worker/src/", pathNot: [COMPOSITION, "\\.test\\.tsx?$", "^worker/test/"] },
      to: { path: COMPOSITION },
    },
    {
      name: "party-uses-shared",
      comment: "The rooms server shares only shared/ with the Worker (its tests may mint tokens with the Worker's code).",
      severity: "error",
      from: { path: "^party/", pathNot: ["\\.test\\.ts$", "^party/test/"] },
      to: { path: "^(worker|web|scripts)/" },
    },
    {
      name: "web-uses-shared-and-api-types",
      comment: "The web app shares shared/ and takes only the API's types (ApiType from worker/src/modules.ts) from the Worker.",
      severity: "error",
      from: { path: "^web/src/" },
      to: { path: "^(worker|party|scripts)/", pathNot: ["^worker/src/modules\\.ts$"] },
    },
    {
      name: "shared-stands-alone",
      comment: "shared/ is the bottom layer: zod schemas and types for worker, party and web.",
      severity: "error",
      from: { path: "^shared/" },
      to: { path: "^(worker|party|web|scripts)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["node_modules", "web/dist", "\\.wrangler"] },
    // swc, not tsc: dependency-cruiser needs TypeScript's compiler API, which TypeScript 7 (ours) does not publish yet.
    parser: "swc",
    // Off only because it would ask for tsc: swc reports type-only imports anyway, and the rules
    // apply to them (scripts/boundaries.test.ts plants one).
    tsPreCompilationDeps: false,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};

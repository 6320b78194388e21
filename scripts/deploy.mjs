// `npm run deploy -- --env staging|production [--dry-run] [--skip-web-build]`: see README → Deploying.
// Runs under tsx (package.json), which lets it read the Stripe event types the Worker's modules register.
import { join } from "node:path";
import { parseArgs } from "node:util";
import { deploy } from "./lib/deploy/deploy.mjs";
import { runTool } from "./lib/deploy/runner.mjs";
import { ROOT } from "./lib/processes.mjs";

const { values } = parseArgs({
  options: {
    env: { type: "string" },
    "dry-run": { type: "boolean", default: false },
    "skip-web-build": { type: "boolean", default: false },
  },
});
const { runtime } = await import("../worker/src/modules.ts");
const { legalConfig } = await import("../worker/src/storefront/index.ts");
process.exitCode = await deploy(
  {
    envName: values.env ?? "",
    dryRun: values["dry-run"],
    skipWebBuild: values["skip-web-build"],
    configPath: join(ROOT, "wrangler.toml"),
    partykitPath: join(ROOT, "partykit.json"),
    webConfigPath: join(ROOT, "web/vite.config.ts"),
    stripeEventTypes: runtime.stripeEventTypes,
    checkVars: (vars) => {
      const legal = legalConfig(vars);
      return legal.ok ? [] : legal.problems;
    },
  },
  { run: runTool, log: (line) => console.log(line) },
);

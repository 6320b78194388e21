// Runs leaves-processes.fixture.ts for scripts/lib/e2e-cleanup.test.ts: with the e2e project's
// setup file, and a hook timeout short enough to hit on purpose.
export default {
  test: {
    include: ["scripts/lib/test-fixtures/*.fixture.ts"],
    environment: "node",
    setupFiles: ["scripts/lib/e2e-cleanup.mjs"],
    hookTimeout: 3_000,
  },
};

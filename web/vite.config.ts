import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import { APP_SHELL_URL } from "./src/offline/cached-paths";

/** Paths the Worker answers itself (WORKER_PATHS in worker/src/web-app/routes.ts, and the storefront's); everything else is the app. */
const WORKER_PATHS = ["/v1", "/media", "/openapi.json", "/docs", "/dev", "/healthz", "/search", "/items/", "/authors/", "/checkout/"];
/** The storefront's home is exactly `/` (with or without a query); keys starting with ^ are RegExps. */
const STOREFRONT_HOME = "^/(\\?.*)?$";

// `vite` (dev server) proxies those to a running `wrangler dev`, so the app stays same-origin.
const apiUrl = process.env.PLAZA_API_URL ?? "http://127.0.0.1:8787";

/**
 * Zod inside Scalar's bundle probes for eval with `new Function("")`, which /docs' CSP refuses and
 * reports on every visit; the copy answers "no" up front, as the refusal would.
 */
const EVAL_PROBE = /try\s*\{\s*return\s*new Function\(""\)\s*,\s*!0\s*\}\s*catch\s*\(\s*\w+\s*\)\s*\{\s*return\s*!1\s*\}/g;

/**
 * Copies Scalar's browser bundle into the build, where /docs loads it from (SCALAR_SCRIPT_PATH in
 * worker/src/http/api-docs.ts), so the API reference needs no CDN. Its name carries the version
 * package.json pins, which is what the Worker reads; a different installed version stops the build.
 */
function scalarBundle(): Plugin {
  const require = createRequire(import.meta.url);
  const script = require.resolve("@scalar/api-reference/browser/standalone.js");
  const installed: string = JSON.parse(readFileSync(join(dirname(script), "../../package.json"), "utf8")).version;
  const pinned: string = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).dependencies[
    "@scalar/api-reference"
  ];
  return {
    name: "plaza-scalar-bundle",
    apply: "build",
    generateBundle() {
      if (installed !== pinned) {
        this.error(
          `@scalar/api-reference ${installed} is installed but package.json pins "${pinned}": pin the exact version and npm install`,
        );
      }
      const source = readFileSync(script, "utf8").replace(EVAL_PROBE, "return!1");
      this.emitFile({ type: "asset", fileName: `assets/vendor/scalar-api-reference-${pinned}.js`, source });
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    // The project page's chunk (Tiptap, ProseMirror, Y.js) is ~520 kB and loaded only there.
    chunkSizeWarningLimit: 600,
  },
  plugins: [
    scalarBundle(),
    // The service worker (src/sw.ts, built to /sw.js): it precaches the app shell and the hashed
    // files, and a new deploy waits for the person's "Reload" (registerType "prompt").
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      registerType: "prompt",
      // Registered by src/ui/update-prompt.ts, which shows the prompt; no web app manifest.
      injectRegister: false,
      manifest: false,
      injectManifest: {
        // Not the source maps: only the files the app loads.
        globPatterns: ["index.html", "favicon.svg", "assets/**/*.{js,css}"],
        // Scalar's bundle (3.5 MB) is for /docs, which the Worker renders: never needed offline.
        globIgnores: ["assets/vendor/**"],
        // index.html is fetched as an app page: the Worker redirects /index.html to the storefront.
        manifestTransforms: [
          async (entries) => ({
            manifest: entries.map((entry) => (entry.url === "index.html" ? { ...entry, url: APP_SHELL_URL } : entry)),
            warnings: [],
          }),
        ],
      },
    }),
  ],
  server: {
    proxy: Object.fromEntries([...WORKER_PATHS, STOREFRONT_HOME].map((path) => [path, { target: apiUrl, changeOrigin: false }])),
  },
});

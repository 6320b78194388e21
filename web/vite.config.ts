import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** Paths the Worker answers itself (WORKER_PATHS in worker/src/web-app/routes.ts, and the storefront's); everything else is the app. */
const WORKER_PATHS = ["/v1", "/media", "/openapi.json", "/docs", "/dev", "/healthz", "/search", "/items/", "/authors/", "/checkout/"];
/** The storefront's home is exactly `/` (with or without a query); keys starting with ^ are RegExps. */
const STOREFRONT_HOME = "^/(\\?.*)?$";

// `vite` (dev server) proxies those to a running `wrangler dev`, so the app stays same-origin.
const apiUrl = process.env.PLAZA_API_URL ?? "http://127.0.0.1:8787";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    // The project page's chunk (Tiptap, ProseMirror, Y.js) is ~520 kB and loaded only there.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: Object.fromEntries([...WORKER_PATHS, STOREFRONT_HOME].map((path) => [path, { target: apiUrl, changeOrigin: false }])),
  },
});

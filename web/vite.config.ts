import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import { APP_SHELL_URL } from "./src/offline/cached-paths";

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
  plugins: [
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

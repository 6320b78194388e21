/**
 * Registers the service worker (src/sw.ts) and, when a new deploy's worker is installed and
 * waiting, offers "A new version of Plaza is available. Reload": the page keeps running the
 * files it started with until the person chooses; Reload activates the new worker and reloads
 * (vite-plugin-pwa's registerSW with registerType "prompt").
 */
import { registerSW } from "virtual:pwa-register";
import { h } from "../dom";

/** Browsers look for a new /sw.js on navigations; an app left open a long time looks too. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

function showUpdatePrompt(update: () => Promise<void>): void {
  if (document.querySelector(".update-prompt")) return;
  const reload = h("button", { type: "button", class: "button small" }, "Reload");
  const prompt = h("div", { class: "update-prompt", role: "status" }, "A new version of Plaza is available. ", reload);
  reload.addEventListener("click", () => {
    reload.disabled = true;
    // The new worker takes over, then the page reloads on the new deploy's files.
    void update();
  });
  document.body.append(prompt);
}

export function registerServiceWorker(): void {
  if (!("serviceWorker" in navigator)) return;
  const update = registerSW({
    onNeedRefresh: () => showUpdatePrompt(update),
    onRegisteredSW: (_url, registration) => {
      if (registration) setInterval(() => void registration.update().catch(() => undefined), UPDATE_CHECK_MS);
    },
  });
}

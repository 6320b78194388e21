/**
 * SaveStatus: whether what the person changed on this page has reached Plaza, in the seed's four
 * states — Saved, Saving…, Offline (n changes waiting), Error (what failed, with Retry) — from the
 * page's queued changes (offline/queue.ts) and, on a project, its live document. Announced
 * politely to screen readers as it changes (`aria-live`).
 */
import { h, replace } from "../dom";
import type { MutationQueue, QueuedMutation, QueueSnapshot } from "../offline/queue";

export type SaveState = "saved" | "saving" | "offline" | "error";

/** The live document's side: edits the room has not had yet, and whether it is connected now. */
export interface DocSync {
  unsent: boolean;
  connected: boolean;
}

export interface SaveView {
  state: SaveState;
  text: string;
  /** The change the Error is about, for Retry and Discard. */
  problem?: QueuedMutation;
}

const changes = (n: number) => (n === 0 ? "no changes waiting" : n === 1 ? "1 change waiting" : `${n} changes waiting`);
const sentence = (text: string) => (/[.!?…]$/.test(text) ? text : `${text}.`);

export function describeSave(queue: QueueSnapshot, scope: string, doc?: DocSync): SaveView {
  const mine = queue.entries.filter((e) => e.scope === scope);
  const problem = mine.find((e) => e.state !== "waiting");
  if (problem?.state === "conflict")
    return {
      state: "error",
      problem,
      text: problem.error
        ? `Error: ${problem.label} failed: ${sentence(problem.error)}`
        : `Error: ${problem.label} needs your choice: it was changed meanwhile. Choose below which values to keep.`,
    };
  if (problem) return { state: "error", problem, text: `Error: ${problem.label} failed: ${sentence(problem.error ?? "refused")}` };
  const waiting = mine.length + (doc?.unsent ? 1 : 0);
  const offline = queue.offline || (doc?.unsent === true && !doc.connected);
  if (offline) return { state: "offline", text: `Offline (${changes(waiting)})` };
  const retrying = mine.find((e) => e.error);
  if (retrying)
    return { state: "error", problem: retrying, text: `Error: ${retrying.label} failed: ${sentence(retrying.error ?? "")} Retrying…` };
  if (waiting > 0) return { state: "saving", text: "Saving…" };
  return { state: "saved", text: "Saved" };
}

/**
 * The indicator for one page: `scope` picks its queued changes; `doc` (optional) feeds the live
 * document's state. Retry sends a failed change again; Discard drops it (what it would have
 * changed is then lost, which the button says).
 */
export function saveStatus(o: { queue: MutationQueue; scope: string; signal: AbortSignal }): {
  element: HTMLElement;
  setDoc: (doc: DocSync) => void;
} {
  let snapshot = o.queue.snapshot();
  let doc: DocSync | undefined;
  const text = h("span", { class: "save-status-text" });
  const actions = h("span", { class: "save-status-actions" });
  const element = h(
    "div",
    { class: "save-status", role: "status", "aria-live": "polite", "data-testid": "save-status" },
    h("span", { class: "status-dot", "aria-hidden": "true" }),
    text,
    actions,
  );
  const render = () => {
    const view = describeSave(snapshot, o.scope, doc);
    element.dataset.state = view.state;
    replace(text, view.text);
    const seq = view.problem?.seq;
    replace(
      actions,
      // A conflict is settled in the form that shows it; one whose server copy could not be read is retried.
      seq !== undefined &&
        (view.problem?.state !== "conflict" || view.problem.error) &&
        h("button", { type: "button", class: "button small", onclick: () => void o.queue.retry(seq) }, "Retry"),
      seq !== undefined &&
        view.problem?.state === "failed" &&
        h(
          "button",
          {
            type: "button",
            class: "button small",
            onclick: () => {
              if (confirm(`Discard this change (${view.problem?.label})? It will not be sent.`)) void o.queue.discard(seq);
            },
          },
          "Discard",
        ),
    );
  };
  const stop = o.queue.subscribe((s) => {
    snapshot = s;
    render();
  });
  o.signal.addEventListener("abort", stop, { once: true });
  return {
    element,
    setDoc(next) {
      doc = next;
      render();
    },
  };
}

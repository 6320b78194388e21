// The smoke test's checks: each one runs, is timed, and ends as one line (✓ passed, ✗ failed, – skipped).

/**
 * @typedef {{ name: string, status: "pass" | "fail" | "skip", ms: number, detail: string }} CheckResult
 */

/** Thrown by a check that cannot apply here (e.g. a hosted page no script can pay): a skip, not a failure. */
export class Skip extends Error {}

/** Thrown by a check with a short reason: the line shows the message, not a stack. */
export class Failed extends Error {}

/** Fails the check with `message` unless `condition` holds. */
export function ensure(condition, message) {
  if (!condition) throw new Failed(message);
}

const MARKS = { pass: "✓", fail: "✗", skip: "–" };
const NAME_WIDTH = 26;

/** One line: mark, name, milliseconds, detail. */
export const formatResult = (/** @type {CheckResult} */ r) =>
  `${MARKS[r.status]} ${r.name.padEnd(NAME_WIDTH)} ${String(r.ms).padStart(6)} ms  ${r.detail}`;

/**
 * Runs checks in order and records each. `print` gets each result as it ends, so a slow check
 * shows what passed before it.
 * @param {{ print?: (r: CheckResult) => void }} options
 */
export function checkRunner({ print = () => {} } = {}) {
  /** @type {CheckResult[]} */
  const results = [];
  return {
    results,
    /**
     * Runs `fn` as the check `name`: its answer (a string) is the detail; a throw fails it (or skips it, with Skip).
     * Answers what `fn` answered through `value` (true when it answered only a detail), or undefined when it did not pass.
     * @template T
     * @param {string} name
     * @param {() => Promise<{ detail: string, value?: T } | string>} fn
     * @returns {Promise<T | true | undefined>}
     */
    async run(name, fn) {
      const started = performance.now();
      /** @type {CheckResult} */
      let result;
      let value;
      try {
        const answer = await fn();
        const detail = typeof answer === "string" ? answer : answer.detail;
        value = typeof answer === "string" ? true : answer.value;
        result = { name, status: "pass", ms: 0, detail };
      } catch (err) {
        const skip = err instanceof Skip;
        const message = err instanceof Failed || skip ? err.message : `${err?.name ?? "Error"}: ${err?.message ?? err}`;
        result = { name, status: skip ? "skip" : "fail", ms: 0, detail: message.replace(/\s+/g, " ").trim() };
      }
      result.ms = Math.round(performance.now() - started);
      results.push(result);
      print(result);
      return result.status === "pass" ? value : undefined;
    },
    /** Records `name` as failed without running anything (a check whose prerequisite failed). */
    fail(name, detail) {
      const result = { name, status: /** @type {const} */ ("fail"), ms: 0, detail };
      results.push(result);
      print(result);
    },
    /** Records `name` as skipped. */
    skip(name, detail) {
      const result = { name, status: /** @type {const} */ ("skip"), ms: 0, detail };
      results.push(result);
      print(result);
    },
    ok: () => results.every((r) => r.status !== "fail"),
  };
}

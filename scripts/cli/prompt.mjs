// Questions on a terminal, one line each: what `plaza init` asks and `plaza publish` confirms.
import { createInterface } from "node:readline";
import { CliError } from "./errors.mjs";

/** Prompts only make sense when a person can answer them; scripts and CI pass flags instead. */
export const isTerminal = (input = process.stdin) => Boolean(input.isTTY);

/**
 * Opens a prompter on the terminal; close it when done so the process can exit. Questions go to
 * stderr, keeping stdout for results. Ctrl+C or Ctrl+D cancels: the pending question fails.
 */
export function openPrompter({ input = process.stdin, output = process.stderr } = {}) {
  const rl = createInterface({ input, output, terminal: true });
  // The iterator buffers lines typed ahead of their question, which rl.question would drop.
  const lines = rl[Symbol.asyncIterator]();
  rl.on("SIGINT", () => {
    output.write("\n");
    rl.close();
  });

  async function answer(question) {
    rl.setPrompt(question);
    rl.prompt();
    const { value, done } = await lines.next();
    if (done) throw new CliError("Cancelled.");
    return value.trim();
  }

  return {
    /**
     * Asks until `check` accepts the answer (an empty answer takes the default); `check` returns
     * an error message, or nothing when the value is fine.
     * @param {string} question @param {{ defaultValue?: string, check?: (value: string) => string | undefined }} [options]
     */
    async ask(question, { defaultValue = "", check = () => undefined } = {}) {
      for (;;) {
        const value = (await answer(`${question}: ${defaultValue ? `(${defaultValue}) ` : ""}`)) || defaultValue;
        const problem = check(value);
        if (!problem) return value;
        output.write(`  ✖ ${problem}\n`);
      }
    },
    /** A yes/no question whose default is no. */
    async confirm(question) {
      return /^y(es)?$/i.test(await answer(`${question} [y/N] `));
    },
    close: () => rl.close(),
  };
}

// The two ways a command can fail, each with its exit code: 1 for failures, 2 for misuse.

/** Something went wrong while doing what was asked (bad manifest, server refused, network). */
export class CliError extends Error {
  /** @param {string} message @param {{ hint?: string, details?: string[] }} [extra] */
  constructor(message, { hint, details = [] } = {}) {
    super(message);
    this.exitCode = 1;
    this.hint = hint;
    this.details = details;
  }
}

/** The command line itself is wrong; the help for the command is worth showing. */
export class UsageError extends Error {
  /** @param {string} message @param {string} [command] */
  constructor(message, command) {
    super(message);
    this.exitCode = 2;
    this.command = command;
  }
}

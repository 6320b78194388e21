// Command-line parsing on top of node:util parseArgs, turning its errors into usage errors.
import { parseArgs } from "node:util";
import { UsageError } from "./errors.mjs";

/** Options every command accepts. */
const COMMON_OPTIONS = {
  help: { type: "boolean", short: "h" },
  api: { type: "string" },
};

/**
 * Parses the arguments after the command name.
 * @param {string} command
 * @param {string[]} argv
 * @param {Record<string, { type: "string" | "boolean", short?: string }>} options
 * @param {{ maxPositionals?: number }} [limits]
 */
export function parseCommandArgs(command, argv, options, { maxPositionals = 0 } = {}) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs messages are precise ("Unknown option '--chanel'"); keep them.
    throw new UsageError(String(err.message).replace(/\. To specify a positional argument.*$/s, ""), command);
  }
  if (!parsed.values.help && parsed.positionals.length > maxPositionals) {
    throw new UsageError(`Unexpected argument: ${parsed.positionals[maxPositionals]}`, command);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/** Splits `plaza <command> [args…]`, recognising the global --help and --version flags. */
export function splitCommand(argv) {
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help") return { command: "help", rest: [] };
  if (first === "-v" || first === "--version") return { command: "version", rest: [] };
  return { command: first, rest };
}

/**
 * `plaza items list …`: the subcommand and its arguments. `--help` in its place asks for the
 * command's help; a missing or unknown subcommand is a usage error.
 * @param {string} command @param {string[]} argv @param {string[]} subcommands
 */
export function splitSubcommand(command, argv, subcommands) {
  const [subcommand, ...rest] = argv;
  if (subcommand === "-h" || subcommand === "--help") return { subcommand: "help", rest };
  if (subcommand === undefined) throw new UsageError(`Missing subcommand: plaza ${command} ${subcommands.join("|")}`, command);
  if (!subcommands.includes(subcommand)) throw new UsageError(`Unknown subcommand: plaza ${command} ${subcommand}`, command);
  return { subcommand, rest };
}

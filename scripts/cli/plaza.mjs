#!/usr/bin/env node
// The `plaza` CLI: dispatches to a command and turns its outcome into output and an exit code.
import { readFileSync } from "node:fs";
import { splitCommand } from "./args.mjs";
import { CliError, UsageError } from "./errors.mjs";
import { COMMANDS, OVERVIEW } from "./help.mjs";
import { login, logout, whoami } from "./login.mjs";
import { publish } from "./publish.mjs";

const HANDLERS = { login, logout, whoami, publish };

const packageVersion = () => JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;

/** Runs one invocation; resolves to the exit code. */
export async function main(argv) {
  const { command, rest } = splitCommand(argv);
  try {
    if (command === "help") return showHelp(rest[0]);
    if (command === "version") {
      console.log(packageVersion());
      return 0;
    }
    const handler = HANDLERS[command];
    if (!handler) throw new UsageError(`Unknown command: ${command}`);
    const outcome = await handler(rest);
    return outcome === "help" ? showHelp(command) : outcome;
  } catch (err) {
    return report(err);
  }
}

function showHelp(command) {
  if (command === undefined) {
    console.log(OVERVIEW);
    return 0;
  }
  if (!COMMANDS[command]) return report(new UsageError(`Unknown command: ${command}`));
  console.log(COMMANDS[command]);
  return 0;
}

function report(err) {
  if (err instanceof UsageError) {
    console.error(`plaza: ${err.message}`);
    // The usage line is enough to spot the mistake; the full page is one flag away.
    if (err.command) console.error(`${COMMANDS[err.command].split("\n")[0]}\nRun \`plaza ${err.command} --help\` for details.`);
    else console.error("Run `plaza --help` for the commands.");
    return err.exitCode;
  }
  if (err instanceof CliError) {
    console.error(`✖ ${err.message}`);
    for (const line of err.details) console.error(`  • ${line}`);
    if (err.hint) console.error(`  ${err.hint}`);
    if (err.requestId) console.error(`  (request id ${err.requestId})`);
    return err.exitCode;
  }
  // A bug in the CLI itself: show everything, it is what a bug report needs.
  console.error(err);
  return 1;
}

process.exitCode = await main(process.argv.slice(2));

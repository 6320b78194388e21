#!/usr/bin/env node
// The `plaza` CLI: dispatches to a command and turns its outcome into output and an exit code.
import { readFileSync } from "node:fs";
import { splitCommand } from "./args.mjs";
import { CliError, UsageError } from "./errors.mjs";
import { COMMANDS, OVERVIEW } from "./help.mjs";

/** The module of each command, each exporting a function of that name; loaded only when it runs, since some load zod. */
const COMMAND_MODULES = {
  login: "./login.mjs",
  logout: "./login.mjs",
  whoami: "./login.mjs",
  init: "./init.mjs",
  publish: "./publish.mjs",
  items: "./items.mjs",
  versions: "./versions.mjs",
  yank: "./versions.mjs",
  unyank: "./versions.mjs",
};

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
    if (!Object.hasOwn(COMMAND_MODULES, command)) throw new UsageError(`Unknown command: ${command}`);
    const handler = (await loadCommandModule(COMMAND_MODULES[command]))[command];
    const outcome = await handler(rest);
    return outcome === "help" ? showHelp(command) : outcome;
  } catch (err) {
    return report(err);
  }
}

/** Commands that check values with the shared zod schemas import them as .ts, which Node reads from 22.18 on. */
async function loadCommandModule(path) {
  try {
    return await import(path);
  } catch (err) {
    if (err?.code !== "ERR_UNKNOWN_FILE_EXTENSION") throw err;
    throw new CliError(`This command needs Node 22.18 or newer; this is Node ${process.versions.node}.`, {
      hint: "Run it as `npx plaza …` in the Plaza checkout, which uses its Node 22.",
    });
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

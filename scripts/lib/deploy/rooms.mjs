// Where an environment's PartyKit rooms live. partykit.json has no environments: the deploy gives
// each its own project with `--name` (production: partykit.json's name; staging: `<name>-staging`),
// and the URL follows from it: `https://<name>.<team or login>.partykit.dev`, or the custom domain
// set as ROOMS_URL (deployed with `--domain`).
import { readFileSync } from "node:fs";

/** @typedef {{ name: string, team?: string, domain?: string }} PartykitConfig */

/** @param {string} path @returns {PartykitConfig} */
export const readPartykitConfig = (path) => JSON.parse(readFileSync(path, "utf8"));

/** @param {PartykitConfig} config @param {string} envName */
export const roomsProject = (config, envName) => (envName === "production" ? config.name : `${config.name}-${envName}`);

const PARTYKIT_HOST = /^([a-z0-9-]+)\.([a-z0-9-]+)\.partykit\.dev$/i;

/**
 * How to deploy the rooms so they answer at `roomsUrl`: a `*.partykit.dev` URL must name the
 * environment's project (its owner is checked at deploy time against `partykit whoami`); any
 * other host is a custom domain.
 * @param {PartykitConfig} config @param {string} envName @param {string} roomsUrl
 * @returns {{ name: string, owner?: string, domain?: string, problem?: string }}
 */
export function roomsTarget(config, envName, roomsUrl) {
  const name = roomsProject(config, envName);
  const host = new URL(roomsUrl).hostname;
  const match = PARTYKIT_HOST.exec(host);
  if (!match) return { name, domain: host };
  if (match[1] !== name) {
    return { name, owner: match[2], problem: `ROOMS_URL ${roomsUrl} names project ${match[1]}; the ${envName} rooms are ${name}` };
  }
  if (config.team && match[2] !== config.team) {
    return { name, owner: match[2], problem: `ROOMS_URL ${roomsUrl} is owned by ${match[2]}, partykit.json's team is ${config.team}` };
  }
  return { name, owner: match[2] };
}

/** The rooms' URL once deployed by `login` (or partykit.json's team). */
export const partykitUrl = (config, name, login) => `https://${name}.${config.team ?? login}.partykit.dev`;

/** `partykit whoami` → the login, or undefined when not logged in. */
export function parseWhoami(output) {
  return /Logged in as\s+(\S+)/.exec(stripAnsi(output))?.[1];
}

/** `partykit env list` → the names of the project's variables. */
export function parseEnvList(output) {
  const line = /Deployed variables:(.*)/.exec(stripAnsi(output))?.[1] ?? "";
  return line
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
}

/** `partykit deploy` → the URL it deployed to. */
export function parseDeployedUrl(output) {
  return /Deployed \S+ to (https:\/\/\S+)/.exec(stripAnsi(output))?.[1];
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC
export const stripAnsi = (text) => text.replace(/\u001b\[[0-9;]*m/g, "");

// Help texts: one overview, one page per command.

export const OVERVIEW = `plaza: publish plugins to Plaza from a terminal

Usage:
  plaza login --token <plz_…> [--api <url>]   Check a personal API token and save it
  plaza publish [dir] [options]               Pack a plugin folder and publish it as a new version
  plaza whoami                                Show who the saved token belongs to
  plaza logout                                Forget the saved token
  plaza help [command]                        Show help for a command

Options for every command:
  --api <url>     The Plaza API (default: PLAZA_API_URL, then the saved one, then http://localhost:8787)
  -h, --help      Show help

Environment:
  PLAZA_TOKEN       An API token to use instead of the saved one
  PLAZA_API_URL     The API to use instead of the saved one
  PLAZA_CONFIG_DIR  Where credentials.json lives (default: ~/.config/plaza)

Exit codes: 0 done, 1 failed, 2 wrong usage.`;

export const COMMANDS = {
  login: `Usage: plaza login --token <plz_…> [--api <url>]

Checks a personal API token against the API and saves both to credentials.json (mode 0600) in
PLAZA_CONFIG_DIR (default ~/.config/plaza). Create the token in the Plaza web app under API tokens;
publishing needs the catalog:write scope. Pass \`--token -\` to read the token from stdin.`,
  publish: `Usage: plaza publish [dir] [--channel stable|beta] [--changelog <text|@file>] [--api <url>] [--token <plz_…>]

Reads dir/plaza.json (dir defaults to the current folder), packs the folder into a reproducible
.tar.gz (leaving out dotfiles such as .git and .env, node_modules and symlinks), uploads it as the
version named in plaza.json and prints the version's page. "name" in plaza.json is the item's slug;
the item must already exist and you must be an owner or admin of its org.

Options:
  --channel <name>     stable (default) or beta
  --changelog <text>   What changed; @path reads it from a file
  --token <plz_…>      Use this token instead of PLAZA_TOKEN or the saved one`,
  whoami: `Usage: plaza whoami [--api <url>] [--token <plz_…>]

Shows the user and orgs of the token in use (needs the profile:read scope) and where it came from.`,
  logout: `Usage: plaza logout

Deletes the saved credentials.json. The token itself stays valid until you revoke it in the web app.`,
};

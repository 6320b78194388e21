// Help texts: one overview, one page per command.

export const OVERVIEW = `plaza: publish plugins to Plaza from a terminal

Usage:
  plaza login --token <plz_…> [--api <url>]   Check a personal API token and save it
  plaza init [dir] [options]                  Write a plaza.json for a plugin folder
  plaza publish [dir] [options]               Pack a plugin folder and publish it as a new version
  plaza items list [--org <slug>]             List the org's items, every status
  plaza versions list <slug>                  List an item's versions, yanked ones included
  plaza yank <slug>@<version>                 Hide a version from new installs
  plaza unyank <slug>@<version>               Undo a yank
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
  init: `Usage: plaza init [dir] [--name <slug>] [--version <semver>] [--entry <path>] [--permissions <list>]
                  [--engine <range>] [--yes] [--force]

Writes dir/plaza.json (dir defaults to the current folder), the manifest \`plaza publish\` reads. On a
terminal it asks for each value not given as a flag, offering a default: from package.json (its name
without the scope, version and main), else the folder's name, 1.0.0, dist/index.js and ^1.0.0; with
--force, the values of the plaza.json it replaces (whose dependencies it keeps). Every value is
checked as the server will check it, and each problem is named with its field.

Options:
  --name, --slug <slug>    "name": the item's slug (lowercase letters, digits, inner hyphens)
  --version <semver>       "version", e.g. 1.0.0
  --entry <path>           "entry": the module the bundle starts from, relative to dir
  --permissions <list>     "permissions", comma-separated: network, storage, clipboard,
                           notifications, project:read, project:write
  --engine <range>         "engines.plaza": the Plaza versions it runs on, e.g. ^1.0.0
  -y, --yes                Take the defaults for what no flag gives, without asking
                           (needed when stdin is not a terminal, unless every flag is given)
  --force                  Overwrite an existing plaza.json`,
  publish: `Usage: plaza publish [dir] [--channel stable|beta] [--changelog <text|@file>] [--create [--org <slug>]]
                     [--api <url>] [--token <plz_…>]

Reads dir/plaza.json (dir defaults to the current folder), packs the folder into a reproducible
.tar.gz (leaving out dotfiles such as .git and .env, node_modules and symlinks), uploads it as the
version named in plaza.json and prints the version's page. "name" in plaza.json is the item's slug;
you must be an owner or admin of the item's org.

The upload is resumable (tus, in 8 MiB pieces, with a progress line on a terminal): if it is
interrupted, run the same command again and it goes on from what the server already has.

When no item has that slug yet, --create creates it as a draft first (on a terminal, publish asks
instead; elsewhere it stops). A draft is seen only by its org: describe it and publish it in the web
app, whose link publish prints.

Options:
  --channel <name>        stable (default) or beta
  --changelog <text>      What changed; @path reads it from a file
  --create                Create the item as a draft if it does not exist, without asking
  --org <slug|org_…>      The org to create it in (default: your only org; needed if you have several)
  --display-name <text>   The new item's name (default: from the slug, hello-cli → Hello Cli)
  --category <name>       The new item's category (default: other)
  --token <plz_…>         Use this token instead of PLAZA_TOKEN or the saved one`,
  items: `Usage: plaza items list [--org <slug|org_…>] [--json] [--token <plz_…>]

Lists the org's items in every status (draft, published, unlisted, removed): slug, name, status and
latest version. Needs the catalog:read scope; finding your orgs by slug needs profile:read.

Options:
  --org <slug|org_…>   The org (default: your only org; needed if you have several)
  --json               Print the items as the API returns them, for scripts`,
  versions: `Usage: plaza versions list <slug> [--org <slug|org_…>] [--json] [--token <plz_…>]

Lists every version of the item, newest first, yanked ones included: version, channel, whether it
is yanked, and when it was published. Needs the catalog:read scope.

Options:
  --org <slug|org_…>   The item's org (default: searched among your orgs)
  --json               Print the versions as the API returns them, for scripts`,
  yank: `Usage: plaza yank <slug>@<version> [--org <slug|org_…>] [--token <plz_…>]

Yanks a version: it is hidden from new installs and update checks, and those who have it keep it.
The number stays used. \`plaza unyank\` undoes it. Needs the admin role in the item's org.`,
  unyank: `Usage: plaza unyank <slug>@<version> [--org <slug|org_…>] [--token <plz_…>]

Undoes a yank: the version is installable again.`,
  whoami: `Usage: plaza whoami [--api <url>] [--token <plz_…>]

Shows the user and orgs of the token in use (needs the profile:read scope) and where it came from.`,
  logout: `Usage: plaza logout

Deletes the saved credentials.json. The token itself stays valid until you revoke it in the web app.`,
};

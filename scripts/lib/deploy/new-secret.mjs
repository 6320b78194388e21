// `node scripts/lib/deploy/new-secret.mjs NAME`: a fresh value for one of Plaza's generated secrets
// (the generator `npm start` uses for .dev.vars), printed without a newline, for piping into
// `wrangler secret put` / `partykit env add` so it never shows on screen.
import { SECRET_GENERATORS } from "../../dev-secrets.mjs";

const name = process.argv[2] ?? "";
const generator = SECRET_GENERATORS[name];
if (!generator) {
  console.error(`usage: node scripts/lib/deploy/new-secret.mjs <${Object.keys(SECRET_GENERATORS).join("|")}>`);
  process.exit(2);
}
process.stdout.write(generator());

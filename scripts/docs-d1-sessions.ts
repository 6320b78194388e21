// `npm run docs:d1-sessions`: rewrites README's table of which D1 session each route starts from the
// rules in worker/src/http/d1-sessions.ts. A workerd test (worker/src/http/d1-sessions.test.ts) fails
// when README and the code differ.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { D1_SESSIONS_DOC_END, D1_SESSIONS_DOC_START, d1SessionsDoc } from "../worker/src/http/d1-sessions";

const readmePath = join(import.meta.dirname, "..", "README.md");
const readme = readFileSync(readmePath, "utf8");
const start = readme.indexOf(D1_SESSIONS_DOC_START);
const end = readme.indexOf(D1_SESSIONS_DOC_END);
if (start < 0 || end < start) throw new Error(`README.md has no "${D1_SESSIONS_DOC_START}" … "${D1_SESSIONS_DOC_END}" block`);
const updated = readme.slice(0, start) + d1SessionsDoc() + readme.slice(end + D1_SESSIONS_DOC_END.length);
writeFileSync(readmePath, updated);
console.log(updated === readme ? "README.md: the D1 sessions table is up to date" : "README.md: D1 sessions table rewritten");

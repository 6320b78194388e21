// The demo org's project, so `npm start` shows the live editor with something in it: one project
// row and a first snapshot (a Y.js update of the document's `content` fragment), which the room
// loads when its own storage is empty; and a demo item installed at an older version than its
// newest, so Installed items shows an update badge (the owner gets the free item to install it).
// Idempotent: the project is inserted only when missing, its snapshot and installed item only with it.
import { createHash } from "node:crypto";
import * as Y from "yjs";

export const DEMO_PROJECT = { name: "Launch plan", org: "acme", owner: "author@plaza.local" };
/** Installed at 1.1.0 while 1.2.0 is out (scripts/seed-catalog.mjs), so the project offers an update. */
const DEMO_INSTALLED = { item: "markdown-studio", version: "1.1.0" };

const WELCOME = [
  "Welcome to the Launch plan, a demo project of Acme Plugins.",
  "Invite a teammate under Members, open this page as them in a private window and type: you see each other's cursors live.",
];

/** The document as the web editor stores it: paragraphs in the XmlFragment named `content`. */
function welcomeUpdate() {
  const doc = new Y.Doc();
  const paragraphs = WELCOME.map((line) => {
    const paragraph = new Y.XmlElement("paragraph");
    paragraph.insert(0, [new Y.XmlText(line)]);
    return paragraph;
  });
  doc.getXmlFragment("content").insert(0, paragraphs);
  return Y.encodeStateAsUpdate(doc);
}

export function projectStatements(now, { sqlValue, newId }) {
  const projectId = newId("project");
  const update = welcomeUpdate();
  const missing = `NOT EXISTS (SELECT 1 FROM projects p JOIN orgs o ON o.id = p.org_id WHERE o.slug = ${sqlValue(DEMO_PROJECT.org)} AND p.name = ${sqlValue(DEMO_PROJECT.name)})`;
  return [
    `INSERT INTO projects (id, org_id, name, member_role, state, created_by, created_at, updated_at)
     SELECT ${sqlValue(projectId)}, orgs.id, ${sqlValue(DEMO_PROJECT.name)}, 'write', '{}', users.id, ${now}, ${now}
     FROM orgs, users WHERE orgs.slug = ${sqlValue(DEMO_PROJECT.org)} AND users.email = ${sqlValue(DEMO_PROJECT.owner)} AND ${missing};`,
    // Only for the project just made: its id is new on every run.
    `INSERT INTO project_snapshots (id, project_id, org_id, reason, size_bytes, sha256, body, r2_key, created_at)
     SELECT ${sqlValue(newId("projectSnapshot"))}, projects.id, projects.org_id, 'manual', ${update.byteLength},
            ${sqlValue(createHash("sha256").update(update).digest("hex"))}, X'${Buffer.from(update).toString("hex")}', NULL, ${now}
     FROM projects WHERE projects.id = ${sqlValue(projectId)};`,
    `INSERT INTO entitlements (id, item_id, user_id, source, status, created_at)
     SELECT ${sqlValue(newId("entitlement"))}, items.id, users.id, 'free', 'active', ${now}
     FROM items, users WHERE items.slug = ${sqlValue(DEMO_INSTALLED.item)} AND users.email = ${sqlValue(DEMO_PROJECT.owner)}
     ON CONFLICT DO NOTHING;`,
    `INSERT INTO project_items (project_id, item_id, org_id, installed_by, installed_at, version)
     SELECT projects.id, items.id, projects.org_id, projects.created_by, ${now}, ${sqlValue(DEMO_INSTALLED.version)}
     FROM projects, items WHERE projects.id = ${sqlValue(projectId)} AND items.slug = ${sqlValue(DEMO_INSTALLED.item)};`,
  ];
}

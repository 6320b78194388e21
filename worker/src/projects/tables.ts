import { blob, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { items } from "../catalog/tables";
import { orgs } from "../orgs/tables";

/**
 * A project: an org's collaborative document (its Y.Doc lives in a PartyKit room whose id is the
 * project id) plus non-collaborative settings in `state`. `member_role` is what plain members get
 * in the room and API; admins and owners always write.
 */
export const projects = sqliteTable(
  "projects",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    memberRole: text("member_role", { enum: ["write", "read"] }).notNull(),
    /** Which versions its items install and update to: stable only, or beta too. */
    channel: text("channel", { enum: ["stable", "beta"] })
      .notNull()
      .default("stable"),
    state: text("state", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /**
     * Bumped with every change of name, member_role, channel or state (in the same UPDATE): the
     * project's ETag, which a PATCH's If-Match must still match. Items, assets and snapshots have
     * their own rows and routes and leave it alone.
     */
    version: integer("version").notNull().default(1),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("projects_org_idx").on(t.orgId, t.createdAt)],
);

/**
 * Items installed into a project, at `version` (null: none was installable when it was installed);
 * the installer's entitlement decides whether it is still active.
 */
export const projectItems = sqliteTable(
  "project_items",
  {
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    installedBy: text("installed_by").notNull(),
    installedAt: integer("installed_at").notNull(),
    version: text("version"),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.itemId] }), index("project_items_item_idx").on(t.itemId)],
);

/** Files of a project, bytes in R2 under `projects/<id>/assets/…` (a fresh key per upload). */
export const projectAssets = sqliteTable(
  "project_assets",
  {
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    orgId: text("org_id").notNull(),
    r2Key: text("r2_key").notNull(),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.name] })],
);

/**
 * Saved states of a project's Y.Doc (`Y.encodeStateAsUpdate`). Small ones inline in `body`, larger
 * ones in R2 at `r2_key`; exactly one of the two is set.
 */
export const projectSnapshots = sqliteTable(
  "project_snapshots",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    reason: text("reason", { enum: ["auto", "manual", "restore"] }).notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    sha256: text("sha256").notNull(),
    body: blob("body", { mode: "buffer" }),
    r2Key: text("r2_key"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("project_snapshots_project_idx").on(t.projectId, t.createdAt, t.id)],
);

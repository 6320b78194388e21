/** Organisations, members, roles and invites. */
import { defineModule } from "../module";
import { orgAuditLogRoutes } from "./audit-log";
import "./events";
import { purgeEndedInvites } from "./jobs";
import { orgRoutes } from "./routes";

export { memberRoleSql } from "./membership-sql";
export {
  findOrg,
  findOrgBySlug,
  memberIdsAtLeast,
  membershipsJsonSql,
  membersWithRole,
  type OrgRow,
  orgNameSql,
  orgSlugSql,
  orgsByIds,
} from "./queries";

export const orgsModule = defineModule({
  name: "orgs",
  routes: orgRoutes.route("/", orgAuditLogRoutes),
  jobs: { "purge-ended-invites": purgeEndedInvites },
});

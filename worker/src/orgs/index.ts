/** Organisations, members, roles and invites. */
import { defineModule } from "../module";
import "./events";
import { orgRoutes } from "./routes";

export { memberRoleSql } from "./membership-sql";

export const orgsModule = defineModule({
  name: "orgs",
  routes: orgRoutes,
});

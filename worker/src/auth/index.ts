/** Accounts and sign-in: sign-up, e-mail verification, passwords, sessions, magic links. */
import { defineModule } from "../module";
import "./events";
import { purgeExpiredCredentials } from "./jobs";
import { authRoutes } from "./routes";

export { identityUser, identityUserSql, type MembershipsSql, sessionPrincipal } from "./identity";
export { CREDENTIAL_RETENTION_MS, endedBefore } from "./jobs";
export { sessionIsLiveSql } from "./session-sql";
export {
  type Account,
  accountExists,
  accountForBuyer,
  activeOrgIfUnset,
  clearActiveOrg,
  findAccount,
  findAccountByEmail,
  operatorAccounts,
  userEmailSql,
  userNameSql,
} from "./users";

export const authModule = defineModule({
  name: "auth",
  routes: authRoutes,
  jobs: { "purge-expired-credentials": purgeExpiredCredentials },
});

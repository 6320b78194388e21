/** Accounts and sign-in: sign-up, e-mail verification, passwords, sessions, magic links, `authenticate()`. */
import { defineModule } from "../module";
import "./events";
import { authRoutes } from "./routes";

export { sessionIsLiveSql } from "./session-sql";

export const authModule = defineModule({
  name: "auth",
  routes: authRoutes,
});

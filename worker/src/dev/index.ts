/** Development tools: the local mailbox. */
import { defineModule } from "../module";
import { mailboxRoutes } from "./mailbox";

export const devModule = defineModule({
  name: "dev",
  pages: mailboxRoutes,
});

/** The audit log: recording security- and money-relevant actions, and reading them per org. */
import { defineModule } from "../module";
import { auditRoutes } from "./routes";

export { type AuditCtx, type AuditInput, auditInsert, auditInsertIf } from "./record";

export const auditModule = defineModule({
  name: "audit",
  routes: auditRoutes,
});

/** The audit log: recording security- and money-relevant actions, and reading them a page at a time. */
import { defineModule } from "../module";

export { auditLogPage } from "./query";
export { type AuditCtx, type AuditInput, auditInsert, auditInsertIf } from "./record";

export const auditModule = defineModule({ name: "audit" });

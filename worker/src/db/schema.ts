/**
 * Plaza's D1 schema, the single source of truth for tables: every domain's tables.ts (each domain owns its
 * own; others reach its data through its functions), listed for drizzle and drizzle-kit. `npm run db:generate` turns changes
 * into a migration under migrations/. Timestamps are integer ms UTC; ids are prefixed random strings.
 */
export * from "../alerts/tables";
export * from "../analytics/tables";
export * from "../audit/tables";
export * from "../auth/tables";
export * from "../backups/tables";
export * from "../billing/tables";
export * from "../catalog/tables";
export * from "../checkout/tables";
export * from "../connect/tables";
export * from "../coupons/tables";
export * from "../disputes/tables";
export * from "../downloads/tables";
export * from "../entitlements/tables";
export * from "../idempotency/tables";
export * from "../ledger/tables";
export * from "../licenses/tables";
export * from "../mail/tables";
export * from "../maintenance/tables";
export * from "../media/tables";
export * from "../moderation/tables";
export * from "../notifications/tables";
export * from "../orders/tables";
export * from "../orgs/tables";
export * from "../projects/tables";
export * from "../reviews/tables";
export * from "../rooms/tables";
export * from "../stripe/tables";
export * from "../stripe-events/tables";
export * from "../tokens/tables";
export * from "../uploads/tables";
export * from "../webhooks/tables";

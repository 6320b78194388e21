import { asc, count, eq, isNotNull, or, sql } from "drizzle-orm";
import type { FailingEndpointT } from "../../../shared/operator";
import type { Db } from "../db/client";
import { orgNameSql } from "../orgs";
import { webhookDeliveries, webhookEndpoints } from "./tables";

/** Dead letters: deliveries that gave up after every retry (`failed`), across orgs. A query for the caller's batch. */
export const deadDeliveryCount = (db: Db) =>
  db.select({ n: count() }).from(webhookDeliveries).where(eq(webhookDeliveries.status, "failed"));

const FAILING_ENDPOINTS_SHOWN = 50;

/**
 * Endpoints failing now (no success since `failingSince`) or disabled by Plaza for failing, in any
 * org, the longest failing first: every attempt since `failingSince` failed, so they are counted.
 */
export const failingEndpoints = (db: Db) =>
  db
    .select({
      endpointId: webhookEndpoints.id,
      orgId: webhookEndpoints.orgId,
      orgName: sql<string>`coalesce(${orgNameSql(webhookEndpoints.orgId)}, '')`,
      url: webhookEndpoints.url,
      status: sql<FailingEndpointT["status"]>`CASE WHEN ${webhookEndpoints.enabled} THEN 'failing' ELSE 'disabled' END`,
      // Spelled out with the outer table's name: drizzle leaves columns of a one-table query unqualified,
      // and inside these subqueries an unqualified `id` would be the attempt's.
      consecutiveFailures: sql<number>`(SELECT count(*) FROM webhook_attempts AS a WHERE a.endpoint_id = webhook_endpoints.id AND a.created_at >= coalesce(webhook_endpoints.failing_since, 0))`,
      lastError: sql<
        string | null
      >`(SELECT coalesce(a.error, 'HTTP ' || a.status_code) FROM webhook_attempts AS a WHERE a.endpoint_id = webhook_endpoints.id ORDER BY a.created_at DESC LIMIT 1)`,
    })
    .from(webhookEndpoints)
    .where(or(isNotNull(webhookEndpoints.failingSince), isNotNull(webhookEndpoints.disabledReason)))
    .orderBy(asc(webhookEndpoints.failingSince))
    .limit(FAILING_ENDPOINTS_SHOWN);

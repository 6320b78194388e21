/**
 * How long the delivery log is kept (the `purge-webhook-log` job): attempts, and events with
 * nothing left to send, go after 30 days. Skipped deliveries count as nothing left to send, so
 * events that happened while an endpoint was disabled can be recovered for 30 days; an event with
 * a failed or pending delivery stays until that one is delivered (or its endpoint deleted).
 */
export const WEBHOOK_LOG_RETENTION_MS = 30 * 86_400_000;

export const WEBHOOK_LOG_RETENTION_DAYS = WEBHOOK_LOG_RETENTION_MS / 86_400_000;

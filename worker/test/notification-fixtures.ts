import { env } from "cloudflare:workers";
import type { NotificationTypeT } from "../../shared/notifications";
import { newId } from "../src/crypto/random";

/** An in-app notification of `userId`, written directly (as a notified event's batch would): its id. */
export async function seedNotification(userId: string, input: { type?: NotificationTypeT; createdAt?: number; title?: string } = {}) {
  const id = newId("notification");
  await env.DB.prepare(
    "INSERT INTO notifications (id, user_id, type, title, body, link, org_id, created_at) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?)",
  )
    .bind(id, userId, input.type ?? "sale", input.title ?? "A sale", "Someone bought something.", input.createdAt ?? Date.now())
    .run();
  return id;
}

/** The user's notifications of a type, as stored. */
export async function notificationsOf(userId: string, type?: NotificationTypeT) {
  const { results } = await env.DB.prepare(
    "SELECT * FROM notifications WHERE user_id = ?1 AND (?2 IS NULL OR type = ?2) ORDER BY created_at, id",
  )
    .bind(userId, type ?? null)
    .all<{ id: string; type: string; title: string; body: string; link: string | null; org_id: string | null; read_at: number | null }>();
  return results;
}

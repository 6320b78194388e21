import { eq } from "drizzle-orm";
import { truncateText } from "../../../shared/text";
import { NO_PASSWORD } from "../crypto/password";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { users } from "../db/schema";

/**
 * The account a purchase belongs to: the user with that e-mail, or a new password-less account
 * for a guest, who reaches it later through the e-mailed links. Races on the unique e-mail end in
 * the same row.
 */
export async function buyerFor(db: Db, email: string): Promise<string> {
  const known = await db.query.users.findFirst({ columns: { id: true }, where: eq(users.email, email) });
  if (known) return known.id;
  await db
    .insert(users)
    .values({ id: newId("user"), email, name: truncateText(email.split("@")[0]!, 100), passwordHash: NO_PASSWORD, createdAt: Date.now() })
    .onConflictDoNothing();
  return (await db.query.users.findFirst({ columns: { id: true }, where: eq(users.email, email) }))!.id;
}

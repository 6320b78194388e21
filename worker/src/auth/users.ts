/**
 * What other domains may know of accounts and sessions: small named queries, statements to put in
 * their own batches, and SQL building blocks for the statements that must read users in place.
 */
import { and, eq, isNull, type SQLWrapper, sql } from "drizzle-orm";
import { truncateText } from "../../../shared/text";
import { NO_PASSWORD } from "../crypto/password";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { subquery } from "../db/subquery";
import { users } from "./tables";

export type UserRow = typeof users.$inferSelect;

/** A user's public face: who they are, never their password hash. */
export type Account = Omit<UserRow, "passwordHash">;

const accountColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  emailVerifiedAt: users.emailVerifiedAt,
  isOperator: users.isOperator,
  activeOrgId: users.activeOrgId,
  createdAt: users.createdAt,
};

export async function findAccount(db: Db, userId: string): Promise<Account | undefined> {
  const [row] = await db.select(accountColumns).from(users).where(eq(users.id, userId)).limit(1);
  return row;
}

export async function findAccountByEmail(db: Db, email: string): Promise<Account | undefined> {
  const [row] = await db.select(accountColumns).from(users).where(eq(users.email, email)).limit(1);
  return row;
}

/** Every platform operator's id and e-mail (operators are few: the platform's own staff). */
export const operatorAccounts = (db: Db) => db.select({ id: users.id, email: users.email }).from(users).where(eq(users.isOperator, true));

export const accountExists = async (db: Db, userId: string) => (await findAccount(db, userId)) !== undefined;

/**
 * The account a purchase belongs to: the user with that e-mail, or a new password-less account
 * for a guest, who reaches it later through the e-mailed links. Races on the unique e-mail end in
 * the same row.
 */
export async function accountForBuyer(db: Db, email: string): Promise<string> {
  const known = await findAccountByEmail(db, email);
  if (known) return known.id;
  await db
    .insert(users)
    .values({ id: newId("user"), email, name: truncateText(email.split("@")[0]!, 100), passwordHash: NO_PASSWORD, createdAt: Date.now() })
    .onConflictDoNothing();
  return (await findAccountByEmail(db, email))!.id;
}

/** The statement that makes `orgId` the user's active org unless they already have one (their first org). */
export const activeOrgIfUnset = (db: Db, userId: string, orgId: string) =>
  db
    .update(users)
    .set({ activeOrgId: orgId })
    .where(and(eq(users.id, userId), isNull(users.activeOrgId)));

/** The statement that clears the user's active org if it is `orgId` (they left it). */
export const clearActiveOrg = (db: Db, userId: string, orgId: string) =>
  db
    .update(users)
    .set({ activeOrgId: null })
    .where(and(eq(users.id, userId), eq(users.activeOrgId, orgId)));

/** SQL: the name of the user `userId` (a column or a value). */
export const userNameSql = (userId: SQLWrapper | string) =>
  subquery<string>(sql`(SELECT ${users.name} FROM ${users} WHERE ${users.id} = ${userId})`);

/** SQL: the e-mail address of the user `userId` (a column or a value). */
export const userEmailSql = (userId: SQLWrapper | string) =>
  subquery<string>(sql`(SELECT ${users.email} FROM ${users} WHERE ${users.id} = ${userId})`);

import { executeLocalD1 } from "./wrangler-dev.mjs";

/**
 * Makes the account with `email` a platform operator in the local D1 of a running `wrangler dev`
 * (its `persistTo`): Plaza has no API for it, on purpose, so tests set the flag as the README's
 * operator console section says.
 * @param {string} persistTo
 * @param {string} email
 * @returns {Promise<void>}
 */
export async function makeOperator(persistTo, email) {
  const quoted = `'${email.replaceAll("'", "''")}'`;
  await executeLocalD1(persistTo, `UPDATE users SET is_operator = 1 WHERE email = ${quoted}`);
}

/**
 * D1 binds at most 100 parameters per statement: a list of ids or keys bound one parameter each
 * goes in pieces of 90, leaving room for the statement's other parameters.
 */
export const PARAMS_PER_STATEMENT = 90;

/** `values` in consecutive pieces of at most `size` (none for an empty list). */
export function chunked<T>(values: readonly T[], size = PARAMS_PER_STATEMENT): T[][] {
  const pieces: T[][] = [];
  for (let i = 0; i < values.length; i += size) pieces.push(values.slice(i, i + size));
  return pieces;
}

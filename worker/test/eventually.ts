/** Polls `check` until it returns something other than undefined, failing after the deadline. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, deadlineMs = 15_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - start > deadlineMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

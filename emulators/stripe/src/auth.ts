import { createMiddleware } from "hono/factory";
import { truncateText } from "../../../shared/text";
import { authenticationError } from "./errors";

/**
 * Accepts any test-mode secret key, like Stripe in test mode accepts its own. A live key is refused:
 * the emulator must never stand in for live traffic.
 */
export const requireSecretKey = createMiddleware(async (c, next) => {
  const key = apiKeyOf(c.req.header("authorization") ?? "");
  if (!key) {
    throw authenticationError(
      "You did not provide an API key. You need to provide your API key in the Authorization header, " +
        "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  }
  if (!/^(sk|rk)_test_\w+$/.test(key)) {
    throw authenticationError(`Invalid API Key provided: ${truncateText(key, 8)}${"*".repeat(4)}`);
  }
  await next();
});

/** The key a request was made with: `Bearer sk_test_…`, or curl's Basic auth. */
export const apiKeyOf = (header: string) => (header.startsWith("Bearer ") ? header.slice(7).trim() : basicUser(header));

/** curl -u sk_test_x: sends Basic auth with the key as the user name. */
function basicUser(header: string): string | undefined {
  if (!header.startsWith("Basic ")) return undefined;
  try {
    return atob(header.slice(6)).split(":")[0] || undefined;
  } catch {
    return undefined;
  }
}

import type { ApiError } from "../api/errors";
import { formatDuration } from "../format";

/** A sentence for the user. Server messages are written for people; a few codes get more help. */
export function describeError(err: ApiError): string {
  switch (err.code) {
    case "rate_limited":
      return err.retryAfterSeconds
        ? `Too many attempts. Try again in ${formatDuration(err.retryAfterSeconds)}.`
        : "Too many attempts. Try again later.";
    case "invalid_request":
      return Object.keys(err.fields).length > 0 ? "Please correct the fields marked below." : err.message;
    case "internal_error":
      return `Something went wrong on our side.${err.requestId ? ` (Request ${err.requestId})` : ""}`;
    default:
      return err.message;
  }
}

/** Field messages are fragments ("must be at least 10 characters"); show them as sentences. */
export const sentence = (fragment: string) => fragment.charAt(0).toUpperCase() + fragment.slice(1);

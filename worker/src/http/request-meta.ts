import { truncateText } from "../../../shared/text";
import type { RequestMeta } from "../context";

/** Who is asking, as far as audit rows record it: the client's IP (Cloudflare's header) and user agent. */
export function requestMeta(request: Request, requestId: string): RequestMeta {
  const userAgent = request.headers.get("user-agent");
  return {
    ip: request.headers.get("cf-connecting-ip"),
    requestId,
    userAgent: userAgent === null ? null : truncateText(userAgent, 300),
  };
}

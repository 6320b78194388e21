/**
 * Which URLs an endpoint may have (SSRF guard). In production: https only, on a public host —
 * literal private, loopback, link-local (cloud metadata), carrier-grade NAT, multicast and reserved
 * addresses, IPv4-mapped forms of them, and `localhost` or internal names are refused. Outside
 * production, http and loopback are allowed too, so a receiver on this machine works.
 *
 * Names are not resolved here (Workers cannot); Cloudflare's fetch does not reach private
 * networks from a Worker, which covers names that resolve to private addresses.
 */
import ipaddr from "ipaddr.js";
import type { Env } from "../env";

const INTERNAL_NAMES = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;
const METADATA_NAMES = new Set(["metadata", "metadata.google.internal", "instance-data"]);

function literalAddress(host: string) {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (!ipaddr.isValid(bare)) return undefined;
  const parsed = ipaddr.parse(bare);
  return parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress() ? (parsed as ipaddr.IPv6).toIPv4Address() : parsed;
}

/** Why `url` may not be an endpoint here, or undefined when it may. */
export function endpointUrlProblem(url: string, env: Pick<Env, "ENVIRONMENT">): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "must be an absolute URL";
  }
  const local = env.ENVIRONMENT !== "production";
  if (parsed.protocol !== "https:" && !(local && parsed.protocol === "http:"))
    return local ? "must be an http or https URL" : "must be an https URL";
  if (parsed.username || parsed.password) return "must not contain credentials";
  const host = parsed.hostname.toLowerCase().replace(/\.$/, "");
  const address = literalAddress(host);
  if (address) {
    const range = address.range();
    if (range === "unicast") return undefined;
    if (local && range === "loopback") return undefined;
    return "must not point at a private, loopback, link-local or reserved address";
  }
  // Numeric forms ipaddr.js does not take as addresses (e.g. 2130706433, 0x7f.1) are refused outright.
  if (/^[0-9.]+$|^0x/i.test(host)) return "must not be a numeric host";
  if (METADATA_NAMES.has(host)) return "must not point at a metadata service";
  if (INTERNAL_NAMES.test(host)) return local && /(^|\.)localhost$/.test(host) ? undefined : "must be a public host name";
  if (!host.includes(".")) return "must be a public host name";
  return undefined;
}

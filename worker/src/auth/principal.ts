import { TOKEN_SCOPES, type TokenScope } from "../../../shared/roles";

/** Who is calling: a browser/CLI session (every scope) or a personal API token (its scopes). */
export type Principal =
  | { kind: "session"; userId: string; sessionId: string; scopes: readonly TokenScope[] }
  | { kind: "api_token"; userId: string; tokenId: string; scopes: readonly TokenScope[] };

export const SESSION_SCOPES: readonly TokenScope[] = TOKEN_SCOPES;

import { type Role, TOKEN_SCOPES, type TokenScope } from "../../../shared/roles";

/** The caller's account and org memberships, loaded with the credential in one D1 query. */
export interface Identity {
  user: {
    id: string;
    email: string;
    name: string;
    emailVerifiedAt: number | null;
    isOperator: boolean;
    activeOrgId: string | null;
    createdAt: number;
  };
  memberships: { orgId: string; slug: string; name: string; role: Role }[];
}

/** Who is calling: a browser/CLI session (every scope) or a personal API token (its scopes). */
export type Principal = Identity &
  (
    | { kind: "session"; userId: string; sessionId: string; scopes: readonly TokenScope[] }
    | { kind: "api_token"; userId: string; tokenId: string; scopes: readonly TokenScope[] }
  );

export const SESSION_SCOPES: readonly TokenScope[] = TOKEN_SCOPES;

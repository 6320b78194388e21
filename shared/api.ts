/**
 * Request and response bodies of Plaza's HTTP API, shared by the Worker (validation + OpenAPI)
 * and web/ (forms and typed responses). Plain zod 4; `.meta({ id })` names the OpenAPI component.
 */
import { z } from "zod";
import { prefixedId } from "./ids";
import { ROLES, TOKEN_SCOPES } from "./roles";

const id = prefixedId;

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: "must be an e-mail address" }));

/** 10–128 characters: length beats composition rules (NIST SP 800-63B). */
export const Password = z.string().min(10, "must be at least 10 characters").max(128);

export const Slug = z
  .string()
  .min(2)
  .max(39)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "lowercase letters, digits and inner hyphens only");

export const RoleSchema = z.enum(ROLES);
export const ScopeSchema = z.enum(TOKEN_SCOPES);
export const Cursor = z.string().max(200);
export const Limit = z.coerce.number().int().min(1).max(100).default(50);
/** Milliseconds since the epoch, at most the last one of year 9999: a time Date can print and SQL can compare. */
export const TimestampMs = z.number().int().min(0).max(253_402_300_799_999);

export const UserId = id("usr");
export const OrgId = id("org");
export const SessionId = id("ses");
export const TokenId = id("tok");
export const InviteId = id("inv");

// ---- auth ----
export const SignupBody = z
  .object({ email: Email, password: Password, name: z.string().trim().min(1).max(100) })
  .meta({ id: "SignupBody" });
export const LoginBody = z.object({ email: Email, password: z.string().min(1).max(128) }).meta({ id: "LoginBody" });
export const VerifyEmailBody = z.object({ token: z.string().min(1).max(200) }).meta({ id: "VerifyEmailBody" });
export const ResendVerificationBody = z.object({ email: Email }).meta({ id: "ResendVerificationBody" });
export const MagicLinkBody = z.object({ email: Email }).meta({ id: "MagicLinkBody" });
export const RedeemMagicLinkBody = z.object({ token: z.string().min(1).max(200) }).meta({ id: "RedeemMagicLinkBody" });
/** Browsers send the refresh token as an HttpOnly cookie; the CLI and scripts send it in the body. */
/** `currentPassword` is required once the account has a password; a guest (password-less, from checkout) sets a first one without it. */
export const ChangePasswordBody = z
  .object({ currentPassword: z.string().min(1).max(128).optional(), newPassword: Password })
  .meta({ id: "ChangePasswordBody" });

export const RefreshBody = z.object({ refreshToken: z.string().min(1).max(200).optional() }).meta({ id: "RefreshBody" });

export const User = z
  .object({
    id: UserId,
    email: z.string(),
    name: z.string(),
    emailVerified: z.boolean(),
    isOperator: z.boolean(),
    createdAt: z.number().int(),
  })
  .meta({ id: "User" });

export const AuthTokens = z
  .object({
    accessToken: z.string(),
    accessTokenExpiresAt: z.number().int(),
    refreshToken: z.string(),
    refreshTokenExpiresAt: z.number().int(),
    user: User,
  })
  .meta({ id: "AuthTokens" });

export const Membership = z.object({ orgId: OrgId, slug: z.string(), name: z.string(), role: RoleSchema }).meta({ id: "Membership" });

export const Me = z.object({ user: User, activeOrgId: OrgId.nullable(), orgs: z.array(Membership) }).meta({ id: "Me" });
export const SetActiveOrgBody = z.object({ orgId: OrgId }).meta({ id: "SetActiveOrgBody" });

export const Session = z
  .object({
    id: SessionId,
    createdAt: z.number().int(),
    lastUsedAt: z.number().int(),
    expiresAt: z.number().int(),
    userAgent: z.string().nullable(),
    ip: z.string().nullable(),
    current: z.boolean(),
  })
  .meta({ id: "Session" });

// ---- personal API tokens ----
export const CreateTokenBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(ScopeSchema).min(1).max(TOKEN_SCOPES.length),
    expiresInDays: z.number().int().min(1).max(365).optional(),
  })
  .meta({ id: "CreateTokenBody" });
export const ApiToken = z
  .object({
    id: TokenId,
    name: z.string(),
    scopes: z.array(ScopeSchema),
    /** The first characters of the token, to recognise it in a list. */
    prefix: z.string(),
    createdAt: z.number().int(),
    lastUsedAt: z.number().int().nullable(),
    expiresAt: z.number().int().nullable(),
  })
  .meta({ id: "ApiToken" });
export const CreatedApiToken = ApiToken.extend({
  /** The secret, shown this once; only its SHA-256 is stored. */
  token: z.string(),
}).meta({ id: "CreatedApiToken" });

// ---- orgs, members, invites ----
export const CreateOrgBody = z.object({ name: z.string().trim().min(1).max(100), slug: Slug }).meta({ id: "CreateOrgBody" });
export const UpdateOrgBody = z.object({ name: z.string().trim().min(1).max(100) }).meta({ id: "UpdateOrgBody" });
export const Org = z
  .object({ id: OrgId, slug: z.string(), name: z.string(), createdAt: z.number().int(), role: RoleSchema })
  .meta({ id: "Org" });
export const Member = z
  .object({ userId: UserId, email: z.string(), name: z.string(), role: RoleSchema, joinedAt: z.number().int() })
  .meta({ id: "Member" });
export const UpdateMemberBody = z.object({ role: RoleSchema }).meta({ id: "UpdateMemberBody" });
export const CreateInviteBody = z.object({ email: Email, role: RoleSchema }).meta({ id: "CreateInviteBody" });
export const Invite = z
  .object({
    id: InviteId,
    email: z.string(),
    role: RoleSchema,
    createdAt: z.number().int(),
    expiresAt: z.number().int(),
    invitedBy: UserId,
  })
  .meta({ id: "Invite" });
export const AcceptInviteBody = z.object({ token: z.string().min(1).max(200) }).meta({ id: "AcceptInviteBody" });

// ---- audit ----
export const AuditEvent = z
  .object({
    id: z.string(),
    action: z.string(),
    actorUserId: UserId.nullable(),
    actorEmail: z.string().nullable(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    ip: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.number().int(),
  })
  .meta({ id: "AuditEvent" });

export const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });

export type UserT = z.infer<typeof User>;
export type MeT = z.infer<typeof Me>;
export type AuthTokensT = z.infer<typeof AuthTokens>;
export type SessionT = z.infer<typeof Session>;
export type ApiTokenT = z.infer<typeof ApiToken>;
export type CreatedApiTokenT = z.infer<typeof CreatedApiToken>;
export type OrgT = z.infer<typeof Org>;
export type MemberT = z.infer<typeof Member>;
export type InviteT = z.infer<typeof Invite>;
export type AuditEventT = z.infer<typeof AuditEvent>;

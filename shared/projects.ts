/**
 * Request and response bodies of the projects API (issue #7): projects, installed items, assets,
 * snapshots and room tokens. Shared by the Worker (validation + OpenAPI) and web/.
 */
import { z } from "zod";
import { Cursor, OrgId, UserId } from "./api";
import { CHANNELS, ItemId, ItemSlug } from "./catalog";
import { prefixedId } from "./ids";
import { SemverString } from "./manifest";
import { MEDIA_STATES } from "./media";
import { SnapshotReasonSchema } from "./room-callbacks";
import { RoomRoleSchema } from "./room-token";

export const ProjectId = prefixedId("prj");
export const SnapshotId = prefixedId("snp");

/** What a caller may do in a project and its room: admins and owners always write; members get the project's `memberRole`. */
export const ProjectRole = RoomRoleSchema.meta({ id: "ProjectRole" });
export type ProjectRoleT = z.infer<typeof ProjectRole>;

export const PROJECT_STATE_MAX_BYTES = 64 * 1024;
/** Largest asset accepted, in bytes. */
export const PROJECT_ASSET_MAX_BYTES = 25 * 1024 * 1024;

const utf8Length = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).byteLength;

/** Non-collaborative settings (a JSON object); the collaborative document lives in the room. */
export const ProjectState = z
  .record(z.string(), z.unknown())
  .refine((state) => utf8Length(state) <= PROJECT_STATE_MAX_BYTES, { message: `must be at most ${PROJECT_STATE_MAX_BYTES} bytes as JSON` })
  .meta({ id: "ProjectState" });

const Name = z.string().trim().min(1).max(100);

/** Which versions of its items a project takes: stable ones only, or beta ones too. */
export const ProjectChannel = z.enum(CHANNELS).meta({ id: "ProjectChannel" });
export type ProjectChannelT = z.infer<typeof ProjectChannel>;

/** A project on `projectChannel` may install a version published on `versionChannel`: a beta project takes both. */
export const channelAccepts = (projectChannel: ProjectChannelT, versionChannel: ProjectChannelT) =>
  projectChannel === "beta" || versionChannel === "stable";

export const CreateProjectBody = z
  .object({ name: Name, memberRole: ProjectRole.default("write"), channel: ProjectChannel.default("stable") })
  .meta({ id: "CreateProjectBody" });

export const UpdateProjectBody = z
  .object({ name: Name.optional(), memberRole: ProjectRole.optional(), state: ProjectState.optional(), channel: ProjectChannel.optional() })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: "send at least one of name, memberRole, state, channel",
  })
  .meta({ id: "UpdateProjectBody" });

/** Items are addressed by their global slug in project paths. */
export const ProjectItemSlug = ItemSlug;

/** Installing: without a version, the newest installable one on the project's channel. */
export const InstallItemBody = z
  .object({ version: SemverString.optional() })
  .meta({ id: "InstallItemBody", description: "Optional: a version to install (or move to), on the project's channel" });

export const InstalledItem = z
  .object({
    itemId: ItemId,
    slug: z.string(),
    name: z.string(),
    installedBy: UserId,
    installedAt: z.number().int(),
    /** The version in use; null when the item had no installable version on the project's channel when installed. */
    version: z.string().nullable(),
    /** The installer's entitlement to the item is still active (not revoked or expired). */
    active: z.boolean(),
  })
  .meta({ id: "InstalledItem" });

/** Asset names are one path segment (URL-encoded in the path): no slash or control characters, no leading dot, at most 128 characters. */
export const AssetName = z
  .string()
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the class names the control characters an asset name may not contain
  .regex(/^(?!\.)[^/\\\u0000-\u001f\u007f]{1,128}$/, "1–128 characters without / \\ or control characters, not starting with a dot");

export const ProjectAsset = z
  .object({
    name: z.string(),
    contentType: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    createdBy: UserId,
    createdAt: z.number().int(),
    /** Downloadable once `ready`: at once for most files, after processing for images (png, jpeg, webp, gif, avif). */
    state: z.enum(MEDIA_STATES),
    /** Why it is `failed` (e.g. an image Plaza cannot read); null otherwise. */
    failure: z.string().nullable(),
    /** An image's 16 px wide WebP as a `data:` URL once processed; null otherwise. */
    placeholder: z.string().nullable(),
    /** An image's upright size once processed; null otherwise. */
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
  })
  .meta({ id: "ProjectAsset" });

export const ProjectSummary = z
  .object({
    id: ProjectId,
    orgId: OrgId,
    name: z.string(),
    memberRole: ProjectRole,
    channel: ProjectChannel,
    /** 1 when created, +1 with each change of name, memberRole, channel or state: the project's ETag (`"<version>"`). */
    version: z.number().int().min(1),
    /** The caller's own role in this project. */
    role: ProjectRole,
    createdBy: UserId,
    createdAt: z.number().int(),
    updatedAt: z.number().int(),
  })
  .meta({ id: "ProjectSummary" });

export const Project = ProjectSummary.extend({
  state: z.record(z.string(), z.unknown()),
  items: z.array(InstalledItem),
  assets: z.array(ProjectAsset),
}).meta({ id: "Project" });
export type ProjectT = z.infer<typeof Project>;

/** A project's ETag, and what a PATCH sends as `If-Match` to apply only to that version: the version, quoted. */
export const projectEtag = (version: number) => `"${version}"`;

/** A page of an org's projects, newest first; pass `nextCursor` back as `cursor` for the next. */
export const ProjectsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: Cursor.optional(),
});

export const ProjectList = z.object({ projects: z.array(ProjectSummary), nextCursor: Cursor.nullable() }).meta({ id: "ProjectList" });

export const SnapshotSummary = z
  .object({
    id: SnapshotId,
    projectId: ProjectId,
    reason: SnapshotReasonSchema,
    sizeBytes: z.number().int(),
    sha256: z.string(),
    createdAt: z.number().int(),
  })
  .meta({ id: "SnapshotSummary" });
export type SnapshotSummaryT = z.infer<typeof SnapshotSummary>;

export const SnapshotDetail = SnapshotSummary.extend({
  /** The document's `content` XmlFragment, decoded with yjs. */
  content: z.object({
    /** `XmlFragment.toJSON()`: the fragment as XML-like markup (`<paragraph>…</paragraph>`). */
    json: z.string(),
    /** The text alone, one line per block. */
    text: z.string(),
  }),
}).meta({ id: "SnapshotDetail" });

export const SnapshotsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: Cursor.optional(),
});

export const SnapshotList = z.object({ snapshots: z.array(SnapshotSummary), nextCursor: Cursor.nullable() }).meta({ id: "SnapshotList" });

export const RestoreResult = z.object({ snapshotId: SnapshotId, restoredAt: z.number().int() }).meta({ id: "RestoreResult" });

export const RoomTokenResponse = z
  .object({
    token: z.string(),
    /** Milliseconds UTC; at most 5 minutes away. */
    expiresAt: z.number().int(),
    roomId: ProjectId,
    /** ROOMS_URL's host[:port], as YPartyKitProvider takes it. */
    host: z.string(),
    role: ProjectRole,
  })
  .meta({ id: "RoomTokenResponse" });

/**
 * Signed download links: the limits, and the bodies of `POST /v1/me/downloads`. Shared by the Worker
 * (validation + OpenAPI) and web/ (the customer portal). Signing and verifying links lives in
 * worker/src/downloads/token.ts.
 */
import { z } from "zod";
import { ItemSlug } from "./catalog";
import { SemverString } from "./manifest";

/** How long a link lives unless asked otherwise: 15 minutes. */
export const DEFAULT_DOWNLOAD_TTL_SECONDS = 15 * 60;
/** The longest a link may live: 7 days (links in e-mails). */
export const MAX_DOWNLOAD_TTL_SECONDS = 7 * 86_400;
/** Requests that send bytes (a whole bundle or a range) one link allows. */
export const DEFAULT_DOWNLOAD_MAX_USES = 5;
/** Downloads one buyer may make of one item in any 24 hours, over all their links. */
export const DEFAULT_DOWNLOAD_DAILY_LIMIT = 10;
export const DOWNLOAD_WINDOW_MS = 86_400_000;

export const CreateDownloadBody = z
  .object({
    item: ItemSlug.meta({ description: "The slug of an item you own" }),
    version: SemverString.optional().meta({ description: "Defaults to the newest stable version that is not yanked" }),
    ttlSeconds: z
      .number()
      .int()
      .min(1)
      .max(MAX_DOWNLOAD_TTL_SECONDS)
      .default(DEFAULT_DOWNLOAD_TTL_SECONDS)
      .meta({
        description: `Lifetime of the link in seconds (default ${DEFAULT_DOWNLOAD_TTL_SECONDS}, at most ${MAX_DOWNLOAD_TTL_SECONDS})`,
      }),
  })
  .meta({ id: "CreateDownloadBody" });

export const DownloadLink = z
  .object({
    url: z.string().meta({ description: "`GET` it to download the bundle; no login needed (the link is the credential)" }),
    expiresAt: z.number().int().meta({ description: "When the link stops working (ms since the epoch)" }),
    version: z.string().meta({ description: "The version the link downloads" }),
    maxUses: z.number().int().meta({ description: "Requests that send bytes the link allows (a whole bundle or a range each)" }),
  })
  .meta({ id: "DownloadLink" });
export type DownloadLinkT = z.infer<typeof DownloadLink>;

export const LibraryVersion = z
  .object({
    version: z.string(),
    channel: z.enum(["stable", "beta"]),
    size: z.number().int().meta({ description: "Bundle size in bytes" }),
    createdAt: z.number().int(),
    yanked: z.boolean().meta({ description: "Yanked versions are listed only for buyers who had them" }),
  })
  .meta({ id: "LibraryVersion" });

export const LibraryEntry = z
  .object({
    item: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
    source: z.enum(["purchase", "subscription", "free", "grant"]),
    expiresAt: z.number().int().nullable().meta({ description: "When access ends; null: for good" }),
    versions: z.array(LibraryVersion).meta({ description: "Every version you may download, newest first" }),
  })
  .meta({ id: "LibraryEntry" });
export type LibraryEntryT = z.infer<typeof LibraryEntry>;

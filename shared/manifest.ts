/**
 * The plugin manifest (`plaza.json` in a plugin's folder): what the CLI reads and the registry
 * validates. Every failure is reported per field.
 */

import { validRange, valid as validSemver } from "semver";
import { z } from "zod";

export const ITEM_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$/;

export const SemverString = z
  .string()
  .max(64)
  .refine((v) => validSemver(v) === v, "must be a semantic version like 1.2.3");
export const SemverRange = z
  .string()
  .max(128)
  .refine((v) => validRange(v) !== null, "must be a semver range like ^1.0.0");

export const PERMISSIONS = ["network", "storage", "clipboard", "notifications", "project:read", "project:write"] as const;

export const Manifest = z
  .object({
    /** The item's slug. */
    name: z.string().regex(ITEM_SLUG, "must be the item's slug: lowercase letters, digits and inner hyphens"),
    version: SemverString,
    /** Path of the entry module inside the bundle. */
    entry: z
      .string()
      .min(1)
      .max(200)
      .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), "must be a relative path inside the bundle"),
    permissions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length).default([]),
    engines: z.object({ plaza: SemverRange }).strict(),
    dependencies: z.record(z.string().regex(ITEM_SLUG, "must be an item slug"), SemverRange).default({}),
  })
  .strict()
  .meta({ id: "Manifest" });

export type ManifestT = z.infer<typeof Manifest>;

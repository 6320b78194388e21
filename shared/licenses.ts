/**
 * License keys and the License API: the key format, reason codes, and request and response bodies.
 * Shared by the Worker (validation + OpenAPI) and web/ (the buyer's licenses page). No runtime
 * bindings here: generating and hashing keys lives in worker/src/licenses/keys.ts.
 */
import { z } from "zod";
import { ItemSlug } from "./catalog";
import { prefixedId } from "./ids";

/**
 * A key is `PREF-XXXX-XXXX-XXXX`: a 4-character prefix chosen per item (A–Z, 0–9), then three
 * groups of 4 random characters from Crockford's base32 alphabet (no I, L, O, U), 5 bits each:
 * 60 random bits. Input is read leniently: any case, with or without dashes or spaces, and in the
 * random groups O reads as 0, I and L as 1 (Crockford's decoding).
 */
export const LICENSE_KEY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const LICENSE_KEY_GROUPS = 3;
export const LICENSE_KEY_GROUP_LENGTH = 4;
export const LICENSE_KEY_RANDOM_BITS = LICENSE_KEY_GROUPS * LICENSE_KEY_GROUP_LENGTH * Math.log2(LICENSE_KEY_ALPHABET.length);
export const LICENSE_KEY_PREFIX = /^[A-Z0-9]{4}$/;
/** A canonical key as issued. */
export const LICENSE_KEY = new RegExp(`^[A-Z0-9]{4}(?:-[${LICENSE_KEY_ALPHABET}]{4}){3}$`);

/** The canonical form of a typed key, or undefined when it cannot be one (any failure looks the same). */
export function canonicalLicenseKey(input: string): string | undefined {
  const compact = input.toUpperCase().replace(/[\s-]/g, "");
  if (compact.length !== 4 + LICENSE_KEY_GROUPS * LICENSE_KEY_GROUP_LENGTH) return undefined;
  const prefix = compact.slice(0, 4);
  const body = compact.slice(4).replace(/O/g, "0").replace(/[IL]/g, "1");
  if (!LICENSE_KEY_PREFIX.test(prefix)) return undefined;
  for (const char of body) if (!LICENSE_KEY_ALPHABET.includes(char)) return undefined;
  const groups = Array.from({ length: LICENSE_KEY_GROUPS }, (_, i) =>
    body.slice(i * LICENSE_KEY_GROUP_LENGTH, (i + 1) * LICENSE_KEY_GROUP_LENGTH),
  );
  return [prefix, ...groups].join("-");
}

/** How a buyer sees a key after it was shown once: `GENX-••••-••••-LAST`. */
export const maskLicenseKey = (prefix: string, lastGroup: string) => `${prefix}-••••-••••-${lastGroup}`;

/** The prefix an item's keys get unless its author chose one: the slug's first 4 letters or digits. */
export function defaultLicensePrefix(slug: string): string {
  return slug
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "")
    .slice(0, 4)
    .padEnd(4, "X");
}

export const DEFAULT_MAX_ACTIVATIONS = 3;

/** `disputed`: frozen while the buyer disputes the payment (active again if the seller wins, revoked if they lose). */
export const LICENSE_STATUSES = ["active", "revoked", "expired", "suspended", "disputed"] as const;
/**
 * Why a License API answer is what it is. Stable: clients switch on these, so they are never
 * renamed. `valid` is the only code with `valid: true`.
 */
export const LICENSE_CODES = [
  "valid",
  "not_found",
  "expired",
  "revoked",
  "suspended",
  "disputed",
  "too_many_activations",
  "fingerprint_mismatch",
  "item_mismatch",
] as const;
export type LicenseCode = (typeof LICENSE_CODES)[number];

const id = prefixedId;
export const LicenseId = id("lic");
export const LicenseActivationId = id("lac");

/**
 * Any string up to 256 characters is accepted as a key: malformed, unknown and wrong-prefix keys
 * all get the same `not_found` answer, never a validation error that would say which part failed.
 */
const Key = z
  .string()
  .max(256)
  .meta({ description: "The license key as the buyer typed it (any case; dashes optional)", example: "GENX-7K3M-Q9TB-2WXR" });
const Fingerprint = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .meta({ description: "Identifies one installation (a machine or instance id); opaque to Plaza" });
const InstanceName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .meta({ description: "A name for the installation that the buyer sees, e.g. a host name" });

export const LicenseValidateBody = z
  .object({ key: Key, item: ItemSlug.meta({ description: "The slug of the item the plugin is" }), fingerprint: Fingerprint.optional() })
  .meta({ id: "LicenseValidateBody" });
export const LicenseActivateBody = z
  .object({ key: Key, item: ItemSlug, fingerprint: Fingerprint, name: InstanceName.optional() })
  .meta({ id: "LicenseActivateBody" });
export const LicenseDeactivateBody = z.object({ key: Key, item: ItemSlug, fingerprint: Fingerprint }).meta({ id: "LicenseDeactivateBody" });

export const LicenseState = z
  .object({
    /** `active` until revoked (refund), suspended, or past `expiresAt` (then `expired`). */
    status: z.enum(LICENSE_STATUSES),
    /** Null for a purchase (it does not expire); a subscription's follows its entitlement. */
    expiresAt: z.number().int().nullable(),
    activations: z.number().int(),
    maxActivations: z.number().int(),
    /** The item's slug. */
    item: z.string(),
  })
  .meta({ id: "LicenseState" });

export const LicenseAnswer = z
  .object({
    valid: z.boolean(),
    code: z.enum(LICENSE_CODES),
    /** Present when the key was found for this item, whatever its state; absent for `not_found` and `item_mismatch`. */
    license: LicenseState.optional(),
  })
  .meta({ id: "LicenseAnswer" });
export type LicenseAnswerT = z.infer<typeof LicenseAnswer>;

export const LicenseActivation = z
  .object({
    id: LicenseActivationId,
    fingerprint: z.string(),
    name: z.string().nullable(),
    createdAt: z.number().int(),
    lastValidatedAt: z.number().int().nullable(),
  })
  .meta({ id: "LicenseActivation" });

/** One of the buyer's licenses, its key masked (the full key is shown once, at purchase). */
export const MyLicense = z
  .object({
    id: LicenseId,
    itemId: z.string(),
    itemSlug: z.string(),
    itemName: z.string(),
    key: z.string().meta({ example: "GENX-••••-••••-2WXR" }),
    status: z.enum(LICENSE_STATUSES),
    expiresAt: z.number().int().nullable(),
    maxActivations: z.number().int(),
    activations: z.array(LicenseActivation),
    createdAt: z.number().int(),
  })
  .meta({ id: "MyLicense" });
export type MyLicenseT = z.infer<typeof MyLicense>;

/** An item's license settings; they apply to keys issued after a change. */
export const LicensePolicy = z
  .object({
    itemId: z.string(),
    prefix: z.string().regex(LICENSE_KEY_PREFIX),
    maxActivations: z.number().int(),
    /** False while the item uses the defaults (slug prefix, 3 activations). */
    custom: z.boolean(),
  })
  .meta({ id: "LicensePolicy" });
export type LicensePolicyT = z.infer<typeof LicensePolicy>;
export const LicensePolicyBody = z
  .object({
    prefix: z.string().trim().toUpperCase().regex(LICENSE_KEY_PREFIX, "4 letters or digits").optional(),
    maxActivations: z.number().int().min(1).max(1000).optional(),
  })
  .meta({ id: "LicensePolicyBody" });

/**
 * One of an item's license keys as its author sees it: masked like the buyer's (keys are stored
 * hashed, so nobody can see more than the last group), with the buyer's e-mail.
 */
export const ItemLicense = z
  .object({
    id: LicenseId,
    key: z.string().meta({ example: "GENX-••••-••••-2WXR" }),
    lastGroup: z.string(),
    /** As the License API answers it: an active key past its expiry is `expired`. */
    status: z.enum(LICENSE_STATUSES),
    source: z.enum(["purchase", "subscription"]),
    userId: z.string(),
    buyerEmail: z.string(),
    expiresAt: z.number().int().nullable(),
    revokedAt: z.number().int().nullable(),
    activationCount: z.number().int(),
    maxActivations: z.number().int(),
    createdAt: z.number().int(),
  })
  .meta({ id: "ItemLicense" });
export type ItemLicenseT = z.infer<typeof ItemLicense>;
export const ItemLicenseDetail = ItemLicense.extend({ activations: z.array(LicenseActivation) }).meta({ id: "ItemLicenseDetail" });
export type ItemLicenseDetailT = z.infer<typeof ItemLicenseDetail>;

/** What an author may do to one of their item's keys; each is idempotent and audited. */
export const LICENSE_ACTIONS = ["suspend", "reinstate", "revoke", "reset-activations"] as const;
export type LicenseAction = (typeof LICENSE_ACTIONS)[number];

export const ItemLicenseQuery = z.object({
  q: z
    .string()
    .trim()
    .max(254)
    .optional()
    .meta({ description: "The key's last group (e.g. `2WXR`, or the whole masked key) or part of the buyer's e-mail" }),
});

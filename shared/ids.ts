import { z } from "zod";

/** Prefixes of Plaza's random ids, so an id says what it names (`usr_…`, `org_…`). */
export const ID_PREFIX = {
  user: "usr",
  org: "org",
  session: "ses",
  apiToken: "tok",
  invite: "inv",
  audit: "aud",
  mail: "msg",
  jobRun: "job",
  item: "itm",
  version: "ver",
  upload: "upl",
  entitlement: "ent",
  review: "rev",
  reviewReport: "rrp",
  itemReport: "irp",
  checkout: "chk",
  order: "ord",
  ledgerEntry: "led",
  refund: "rfd",
  subscription: "psub",
  usageRecord: "use",
  creditEntry: "crd",
  license: "lic",
  licenseActivation: "lac",
  downloadToken: "dlt",
  download: "dl",
  webhookEndpoint: "ep",
  webhookEvent: "evt",
  webhookDelivery: "whd",
  webhookAttempt: "atmpt",
  project: "prj",
  projectSnapshot: "snp",
  roomAdmission: "adm",
  coupon: "cpn",
  /** A resumable (tus) upload; its id is the unguessable part of the upload URL. */
  tusUpload: "tus",
  /** A file people upload and see (worker/src/media). */
  media: "med",
  notification: "ntf",
} as const;

export type IdKind = keyof typeof ID_PREFIX;

/** A zod schema for one kind of Plaza id, named by its prefix (`usr_…`). */
export const prefixedId = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[A-Za-z0-9]{16,32}$`), `must be a ${prefix}_ id`);

import type { LICENSE_STATUSES } from "../../../shared/licenses";
import { h } from "../dom";

type LicenseStatus = (typeof LICENSE_STATUSES)[number];

const LICENSE_STATUS_LABELS: Record<LicenseStatus, string> = {
  active: "Active",
  revoked: "Revoked",
  expired: "Expired",
  suspended: "Suspended",
  disputed: "Disputed",
};

/** A license's state as a badge, the same for its buyer (Purchases) and its author (the studio). */
export const licenseStatusBadge = (status: LicenseStatus) => h("span", { class: `badge status-${status}` }, LICENSE_STATUS_LABELS[status]);

import type { ItemReportBodyT } from "../../../../shared/operator";

/** How each reason for reporting an item reads, on the report form and in the operators' queue. */
export const REPORT_REASON_LABELS: Record<ItemReportBodyT["reason"], string> = {
  spam: "Spam or misleading",
  malware: "Malware or a security risk",
  copyright: "Copyright or trademark infringement",
  inappropriate: "Inappropriate or offensive content",
  other: "Something else",
};

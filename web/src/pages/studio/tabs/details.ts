import type { StudioTab } from "../tabs";

// PLACEHOLDER: replaced by the Details tab's implementation (issue #16); never lands as is.
export const detailsTab: StudioTab = { id: "details", label: "Details", render: () => document.createTextNode("") };

import type { StudioTab } from "../tabs";

// PLACEHOLDER: replaced by the Versions tab's implementation (issue #16); never lands as is.
export const versionsTab: StudioTab = { id: "versions", label: "Versions", render: () => document.createTextNode("") };

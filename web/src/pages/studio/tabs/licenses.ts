import type { StudioTab } from "../tabs";

// PLACEHOLDER: replaced by the Licenses tab's implementation (issue #16); never lands as is.
export const licensesTab: StudioTab = { id: "licenses", label: "Licenses", render: () => document.createTextNode("") };

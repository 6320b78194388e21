import type { StudioTab } from "../tabs";

// PLACEHOLDER: replaced by the Media tab's implementation (issue #16); never lands as is.
export const mediaTab: StudioTab = { id: "media", label: "Media", render: () => document.createTextNode("") };

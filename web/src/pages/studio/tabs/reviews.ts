import type { StudioTab } from "../tabs";

// PLACEHOLDER: replaced by the Reviews tab's implementation (issue #16); never lands as is.
export const reviewsTab: StudioTab = { id: "reviews", label: "Reviews", render: () => document.createTextNode("") };

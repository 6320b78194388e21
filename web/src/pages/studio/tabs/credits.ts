import type { StudioTab } from "../tabs";

// PLACEHOLDER: replaced by the Credits tab's implementation (issue #16); never lands as is.
export const creditsTab: StudioTab = { id: "credits", label: "Credits", render: () => document.createTextNode("") };

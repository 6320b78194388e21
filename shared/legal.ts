/**
 * The storefront's legal and support pages (server-rendered by the Worker, worker/src/storefront):
 * one list, linked from the storefront's footer, the checkout pages, the receipt e-mail and the
 * web app's footer.
 */
export const LEGAL_PAGES = {
  terms: { path: "/legal/terms", title: "Terms of Service" },
  privacy: { path: "/legal/privacy", title: "Privacy Policy" },
  refunds: { path: "/legal/refunds", title: "Refund Policy" },
  license: { path: "/legal/license", title: "License Agreement" },
  support: { path: "/support", title: "Support" },
} as const;

export type LegalPage = keyof typeof LEGAL_PAGES;

/** The footer's order. */
export const LEGAL_PAGE_ORDER: readonly LegalPage[] = ["terms", "privacy", "refunds", "license", "support"];

import { z } from "zod";
import type { Env } from "../env";

/**
 * What the operator fills into the legal and support pages (wrangler.toml `[vars]`, per environment).
 * Read per request: a missing or invalid value makes those pages a 500 that names the variable
 * (and logs it), never a page with a blank where the seller's name belongs.
 */
export const LegalConfig = z.object({
  /** The legal entity that operates Plaza and is the seller of record: "Plaza Labs GmbH". */
  LEGAL_ENTITY_NAME: z.string().trim().min(1).max(200),
  /** Where it is established; its law governs the terms: "Germany". */
  LEGAL_COUNTRY: z.string().trim().min(2).max(100),
  /** Where buyers, authors and privacy requests write to. */
  SUPPORT_EMAIL: z.email().max(254),
  /** Days after a purchase in which a refund may be asked for (0: none beyond what the law requires). */
  REFUND_WINDOW_DAYS: z.coerce.number().int().min(0).max(365),
  /** When the texts last changed (YYYY-MM-DD): shown on every page. */
  LEGAL_LAST_UPDATED: z.iso.date(),
});

export type LegalConfigT = z.infer<typeof LegalConfig>;

export type LegalConfigResult = { ok: true; config: LegalConfigT } | { ok: false; problems: string[] };

/** The legal pages' settings from `env`, or what is wrong with them ("REFUND_WINDOW_DAYS: …"). */
export function legalConfig(env: Partial<Pick<Env, keyof LegalConfigT>>): LegalConfigResult {
  const parsed = LegalConfig.safeParse(env);
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) };
}

/**
 * A colour per user, the same in every browser and session: derived from the user id, so peers
 * agree on it without asking. Each is dark enough for white label text (WCAG AA, ≥ 4.5:1).
 */
const PALETTE = [
  "#b42318",
  "#c4320a",
  "#93370d",
  "#4d7c0f",
  "#067647",
  "#0e7490",
  "#1d4ed8",
  "#4f46e5",
  "#6d28d9",
  "#a21caf",
  "#be185d",
  "#475467",
] as const;

/** FNV-1a: a small, well-spread string hash. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export const userColor = (userId: string): string => PALETTE[hash(userId) % PALETTE.length]!;

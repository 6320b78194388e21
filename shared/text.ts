/**
 * Cutting text to a length without cutting a character in half. `slice(0, n)` counts UTF-16 code
 * units, so it can end on the first half of a surrogate pair (an emoji), which is not valid
 * Unicode: encodeURIComponent and the Stripe SDK throw `URIError` on it. Every truncation in Plaza
 * goes through one of these two.
 */

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;

/** At most `maxUnits` UTF-16 code units (what JavaScript and Stripe call characters), ending on a whole code point. */
export function truncateText(text: string, maxUnits: number): string {
  const max = Math.max(0, Math.floor(maxUnits));
  if (text.length <= max) return text;
  const end = max > 0 && isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

/** At most `maxBytes` of UTF-8, decoded, ending on a whole code point (no U+FFFD from a cut sequence). */
export function truncateUtf8(bytes: Uint8Array, maxBytes: number): string {
  let end = Math.min(bytes.length, Math.max(0, Math.floor(maxBytes)));
  if (end < bytes.length) {
    // Step back over continuation bytes (10xxxxxx) to the start of the cut character, then drop it.
    let start = end;
    while (start > 0 && (bytes[start]! & 0xc0) === 0x80) start--;
    const lead = bytes[start] ?? 0;
    const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (start + length > end) end = start;
  }
  return new TextDecoder().decode(bytes.subarray(0, end));
}

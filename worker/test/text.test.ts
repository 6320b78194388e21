import { describe, expect, it } from "vitest";
import { truncateText, truncateUtf8 } from "../../shared/text";

const EMOJI = "😀"; // U+1F600: two UTF-16 code units, four UTF-8 bytes
const utf8 = (text: string) => new TextEncoder().encode(text);
/** Well-formed: no lone surrogate, so encodeURIComponent (and the Stripe SDK) accept it. */
const wellFormed = (text: string) => {
  encodeURIComponent(text);
  return true;
};

describe("truncateText", () => {
  it("drops an emoji whose second half would be cut off (449 ASCII + emoji at 450: the refund reason)", () => {
    const cut = truncateText(`${"a".repeat(449)}${EMOJI}`, 450);
    expect(cut).toBe("a".repeat(449));
    expect(wellFormed(cut)).toBe(true);
    expect(() => encodeURIComponent(`${"a".repeat(449)}${EMOJI}`.slice(0, 450))).toThrow(URIError);
  });

  it("keeps an emoji that fits exactly", () => {
    expect(truncateText(`${"a".repeat(448)}${EMOJI}tail`, 450)).toBe(`${"a".repeat(448)}${EMOJI}`);
  });

  it("returns text of exactly the length, or shorter, unchanged", () => {
    expect(truncateText("abc", 3)).toBe("abc");
    expect(truncateText(`ab${EMOJI}`, 4)).toBe(`ab${EMOJI}`);
    expect(truncateText("abc", 10)).toBe("abc");
  });

  it("handles empty text and a zero, negative or fractional length", () => {
    expect(truncateText("", 5)).toBe("");
    expect(truncateText("", 0)).toBe("");
    expect(truncateText("abc", 0)).toBe("");
    expect(truncateText("abc", -3)).toBe("");
    expect(truncateText("abcdef", 2.9)).toBe("ab");
    expect(truncateText(EMOJI, 1)).toBe("");
  });

  it("never ends on a high surrogate, whatever the cut, and never grows the text", () => {
    const text = `x${EMOJI}${EMOJI}é${EMOJI}y`;
    for (let n = 0; n <= text.length + 1; n++) {
      const cut = truncateText(text, n);
      expect(cut.length).toBeLessThanOrEqual(n);
      expect(text.startsWith(cut)).toBe(true);
      expect(wellFormed(cut)).toBe(true);
    }
  });
});

describe("truncateUtf8", () => {
  it("drops a 4-byte character cut after its first, second or third byte", () => {
    const bytes = utf8(`ab${EMOJI}`); // 2 + 4 bytes
    expect(truncateUtf8(bytes, 3)).toBe("ab");
    expect(truncateUtf8(bytes, 4)).toBe("ab");
    expect(truncateUtf8(bytes, 5)).toBe("ab");
    expect(truncateUtf8(bytes, 6)).toBe(`ab${EMOJI}`);
  });

  it("drops a 2- or 3-byte character cut in the middle, never decoding to U+FFFD", () => {
    expect(truncateUtf8(utf8("aé"), 2)).toBe("a");
    expect(truncateUtf8(utf8("a€"), 3)).toBe("a");
    expect(truncateUtf8(utf8("a€"), 4)).toBe("a€");
    const mixed = utf8(`é€${EMOJI}z`);
    for (let n = 0; n <= mixed.length; n++) expect(truncateUtf8(mixed, n)).not.toContain("\ufffd");
  });

  it("returns bytes of exactly the length, or shorter, whole", () => {
    expect(truncateUtf8(utf8(EMOJI), 4)).toBe(EMOJI);
    expect(truncateUtf8(utf8("abc"), 100)).toBe("abc");
  });

  it("handles no bytes and a zero or negative length", () => {
    expect(truncateUtf8(new Uint8Array(), 10)).toBe("");
    expect(truncateUtf8(utf8("abc"), 0)).toBe("");
    expect(truncateUtf8(utf8("abc"), -1)).toBe("");
  });
});

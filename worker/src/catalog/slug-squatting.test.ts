import { describe, expect, it } from "vitest";
import { withinOneEdit } from "./slug-squatting";

describe("withinOneEdit", () => {
  it.each([
    ["left-pad", "leftpad", true],
    ["left-pad", "left-pads", true],
    ["left-pad", "loft-pad", true],
    ["left-pad", "left-pad", true],
    ["left-pad", "lfet-pad", false],
    ["left-pad", "right-pad", false],
    ["ab", "ba", false],
    ["a1", "a", true],
    ["abc", "xbc", true],
  ])("%s ~ %s → %s", (a, b, expected) => {
    expect(withinOneEdit(a, b)).toBe(expected);
    expect(withinOneEdit(b, a)).toBe(expected);
  });
});

// The demo items' icons and screenshots, drawn here as flat shapes in each item's accent colour with
// its name in a 5×7 pixel font, so `npm start` shows real images without image files or libraries.
// Deterministic: the same item always gets the same bytes.
import { encodePng } from "./lib/png.mjs";

/** Capital letters, 5 columns × 7 rows; anything else draws as a space. */
const FONT = {
  A: ".###. #...# #...# ##### #...# #...# #...#",
  B: "####. #...# #...# ####. #...# #...# ####.",
  C: ".###. #...# #.... #.... #.... #...# .###.",
  D: "####. #...# #...# #...# #...# #...# ####.",
  E: "##### #.... #.... ####. #.... #.... #####",
  F: "##### #.... #.... ####. #.... #.... #....",
  G: ".###. #...# #.... #.### #...# #...# .####",
  H: "#...# #...# #...# ##### #...# #...# #...#",
  I: ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",
  J: "..### ...#. ...#. ...#. ...#. #..#. .##..",
  K: "#...# #..#. #.#.. ##... #.#.. #..#. #...#",
  L: "#.... #.... #.... #.... #.... #.... #####",
  M: "#...# ##.## #.#.# #...# #...# #...# #...#",
  N: "#...# #...# ##..# #.#.# #..## #...# #...#",
  O: ".###. #...# #...# #...# #...# #...# .###.",
  P: "####. #...# #...# ####. #.... #.... #....",
  Q: ".###. #...# #...# #...# #.#.# #..#. .##.#",
  R: "####. #...# #...# ####. #.#.. #..#. #...#",
  S: ".#### #.... #.... .###. ....# ....# ####.",
  T: "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
  U: "#...# #...# #...# #...# #...# #...# .###.",
  V: "#...# #...# #...# #...# #...# .#.#. ..#..",
  W: "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",
  X: "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
  Y: "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",
  Z: "##### ....# ...#. ..#.. .#... #.... #####",
};
const GLYPHS = new Map(Object.entries(FONT).map(([char, rows]) => [char, rows.split(" ")]));
/** A glyph's advance: 5 columns and 1 of spacing. */
const ADVANCE = 6;

/** Whether a pixel's centre lies in the rectangle with corners rounded by `radius`. */
const insideRoundRect = (x0, y0, w, h, radius) => (x, y) => {
  const dx = Math.max(x0 + radius - x - 0.5, 0, x + 0.5 - (x0 + w - radius));
  const dy = Math.max(y0 + radius - y - 0.5, 0, y + 0.5 - (y0 + h - radius));
  return dx * dx + dy * dy <= radius * radius;
};

const rgb = (hex) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
/** `color` moved towards white (amount > 0) or black (amount < 0). */
const shade = (color, amount) => color.map((c) => Math.round(amount > 0 ? c + (255 - c) * amount : c * (1 + amount)));

class Canvas {
  constructor(width, height) {
    this.width = width;
    this.height = height;
    this.pixels = new Uint8Array(width * height * 4);
    /** The same pixels as one little-endian RGBA word each, so a run of them is one fill(). */
    this.words = new Uint32Array(this.pixels.buffer);
  }

  /** Fills the pixels for which `inside(x, y)` holds within the box, clipped to the canvas. */
  fill(x0, y0, w, h, [r, g, b], inside) {
    const word = (r | (g << 8) | (b << 16) | (255 << 24)) >>> 0;
    const [left, right] = [Math.max(0, Math.round(x0)), Math.min(this.width, Math.round(x0 + w))];
    for (let y = Math.max(0, Math.round(y0)); y < Math.min(this.height, Math.round(y0 + h)); y++) {
      const row = y * this.width;
      if (!inside) this.words.fill(word, row + left, row + right);
      else for (let x = left; x < right; x++) if (inside(x, y)) this.words[row + x] = word;
    }
  }

  rect(x, y, w, h, color) {
    this.fill(x, y, w, h, color);
  }

  /** A rectangle with corners rounded by `radius`. */
  roundRect(x0, y0, w, h, radius, color) {
    this.fill(x0, y0, w, h, color, insideRoundRect(x0, y0, w, h, radius));
  }

  circle(cx, cy, radius, color) {
    this.roundRect(cx - radius, cy - radius, 2 * radius, 2 * radius, radius, color);
  }

  static textWidth(text, scale) {
    return (text.length * ADVANCE - 1) * scale;
  }

  /** `text` in capitals, each font pixel drawn as a `scale`-sized square, its top left at (x, y). */
  text(text, x, y, scale, color) {
    for (const [index, char] of [...text.toUpperCase()].entries()) {
      const rows = GLYPHS.get(char);
      if (!rows) continue;
      for (const [row, bits] of rows.entries()) {
        for (const [column, bit] of [...bits].entries()) {
          if (bit === "#") this.rect(x + (index * ADVANCE + column) * scale, y + row * scale, scale, scale, color);
        }
      }
    }
  }

  png() {
    return encodePng(this.width, this.height, this.pixels);
  }
}

/** A small deterministic generator (mulberry32) seeded by the slug, so an item's pictures never change. */
function randomFor(slug) {
  let state = [...slug].reduce((hash, char) => Math.imul(hash ^ char.charCodeAt(0), 16_777_619), 2_166_136_261);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const WHITE = [255, 255, 255];
const INK = [31, 41, 55];

/** 256 × 256: the item's initial on a rounded square of its accent colour (transparent corners). */
export function demoIcon(item) {
  const accent = rgb(item.accent);
  const size = 256;
  const canvas = new Canvas(size, size);
  const square = insideRoundRect(0, 0, size, size, 56);
  canvas.fill(0, 0, size, size, accent, square);
  // A lighter disc in the top right corner, cut by the square's rounded edge.
  canvas.fill(0, 0, size, size, shade(accent, 0.18), (x, y) => square(x, y) && (x - 200) ** 2 + (y - 56) ** 2 <= 88 ** 2);
  const scale = 20;
  const initial = item.name[0];
  canvas.text(initial, (size - Canvas.textWidth(initial, scale)) / 2, (size - 7 * scale) / 2, scale, WHITE);
  return canvas.png();
}

/** A window frame: title bar with its three buttons, on a light backdrop. Returns the content box. */
function windowFrame(canvas, accent, { dark }) {
  const { width, height } = canvas;
  canvas.rect(0, 0, width, height, shade(accent, 0.85));
  const frame = { x: 40, y: 40, w: width - 80, h: height - 80 };
  canvas.roundRect(frame.x, frame.y, frame.w, frame.h, 14, dark ? [24, 24, 37] : WHITE);
  canvas.roundRect(frame.x, frame.y, frame.w, 44, 14, shade(accent, -0.35));
  canvas.rect(frame.x, frame.y + 30, frame.w, 14, shade(accent, -0.35));
  for (const [index, color] of [
    [255, 95, 86],
    [255, 189, 46],
    [39, 201, 63],
  ].entries())
    canvas.circle(frame.x + 26 + index * 24, frame.y + 22, 7, color);
  return { x: frame.x, y: frame.y + 44, w: frame.w, h: frame.h - 44 };
}

/** An editor: a sidebar of files, the item's name as the heading, and lines of text. */
function editorScreenshot(item, random) {
  const accent = rgb(item.accent);
  const canvas = new Canvas(960, 600);
  const box = windowFrame(canvas, accent, { dark: false });
  canvas.rect(box.x, box.y, 200, box.h - 14, [243, 244, 246]);
  for (let row = 0; row < 8; row++) {
    const y = box.y + 24 + row * 34;
    if (row === 1) canvas.roundRect(box.x + 12, y - 8, 176, 28, 6, shade(accent, 0.75));
    canvas.roundRect(box.x + 24, y, 40 + Math.round(random() * 100), 12, 6, row === 1 ? accent : [156, 163, 175]);
  }
  const left = box.x + 240;
  canvas.text(item.name, left, box.y + 32, 4, INK);
  canvas.rect(left, box.y + 76, Canvas.textWidth(item.name, 4), 4, accent);
  for (let line = 0; line < 9; line++) {
    const y = box.y + 112 + line * 34;
    let x = left;
    const words = 3 + Math.floor(random() * 5);
    for (let word = 0; word < words && x < box.x + box.w - 80; word++) {
      const w = 30 + Math.round(random() * 80);
      canvas.roundRect(x, y, Math.min(w, box.x + box.w - 40 - x), 12, 6, random() < 0.15 ? accent : [209, 213, 219]);
      x += w + 12;
    }
  }
  return canvas.png();
}

/** A dark dashboard: the item's name, three stat cards and a bar chart in the accent colour. */
function dashboardScreenshot(item, random) {
  const accent = rgb(item.accent);
  const canvas = new Canvas(960, 600);
  const box = windowFrame(canvas, accent, { dark: true });
  const left = box.x + 32;
  canvas.text(item.name, left, box.y + 28, 3, WHITE);
  const cardWidth = (box.w - 64 - 2 * 20) / 3;
  for (let card = 0; card < 3; card++) {
    const x = Math.round(left + card * (cardWidth + 20));
    canvas.roundRect(x, box.y + 72, Math.round(cardWidth), 84, 10, [40, 40, 58]);
    canvas.roundRect(x + 16, box.y + 90, 70, 10, 5, [120, 120, 150]);
    canvas.roundRect(x + 16, box.y + 114, 60 + Math.round(random() * 80), 22, 8, card === 0 ? accent : shade(accent, 0.4));
  }
  const chart = { x: left, y: box.y + 180, w: box.w - 64, h: box.h - 220 };
  canvas.roundRect(chart.x, chart.y, chart.w, chart.h, 10, [40, 40, 58]);
  const bars = 14;
  const slot = (chart.w - 40) / bars;
  for (let bar = 0; bar < bars; bar++) {
    const height = Math.round((0.25 + 0.7 * random()) * (chart.h - 40));
    canvas.roundRect(
      Math.round(chart.x + 20 + bar * slot + slot * 0.2),
      chart.y + chart.h - 20 - height,
      Math.round(slot * 0.6),
      height,
      4,
      accent,
    );
  }
  return canvas.png();
}

/** Two screenshots per item: its editor and its dashboard. */
export function demoScreenshots(item) {
  const random = randomFor(item.slug);
  return [editorScreenshot(item, random), dashboardScreenshot(item, random)];
}

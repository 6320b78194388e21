// Zipf-distributed picks from a seeded PRNG: a few ranks (items, buyers, words) take most of the
// traffic, a long tail gets a little each.

/**
 * A sampler of ranks in [0, n), rank r with probability ∝ 1/(r+q)^s (Zipf–Mandelbrot; q = 1 is
 * plain Zipf), via a cumulative table. A larger q flattens the head.
 * @param {() => number} random a PRNG answering [0, 1) (bench/lib/prng.mjs)
 * @param {number} n @param {{ s?: number, q?: number }} [options]
 * @returns {() => number}
 */
export function zipfSampler(random, n, { s = 1, q = 1 } = {}) {
  if (!(n > 0)) throw new Error(`zipfSampler needs at least one rank, not ${n}`);
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) cumulative[r] = sum += 1 / (r + q) ** s;
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** Picks a key of `weights` with probability ∝ its weight. @param {Record<string, number>} weights */
export function weightedPicker(random, weights) {
  const entries = Object.entries(weights).filter(([, w]) => w > 0);
  const total = entries.reduce((a, [, w]) => a + w, 0);
  return () => {
    let x = random() * total;
    for (const [key, w] of entries) {
      x -= w;
      if (x < 0) return key;
    }
    return entries.at(-1)[0];
  };
}

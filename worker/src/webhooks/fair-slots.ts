/**
 * Runs `fn` over `items` with at most `slots` calls running at a time. A free slot goes to the
 * group (an endpoint) with the fewest calls running, round-robin among equals, so one slow
 * endpoint cannot hold every slot while another's deliveries wait behind it. No call starts once
 * `mayStart()` is false: those items come back as `unstarted`, untouched.
 */
export async function runInFairSlots<T, R>(
  items: readonly T[],
  groupOf: (item: T) => string,
  slots: number,
  fn: (item: T) => Promise<R>,
  mayStart: () => boolean,
): Promise<{ results: R[]; unstarted: T[] }> {
  // Map order is the round-robin order: a group moves to the back when it is picked.
  const waiting = new Map<string, T[]>();
  for (const item of items) waiting.set(groupOf(item), [...(waiting.get(groupOf(item)) ?? []), item]);
  const running = new Map<string, number>([...waiting.keys()].map((group) => [group, 0]));
  const results: R[] = [];

  const pick = () => {
    let best: string | undefined;
    for (const group of waiting.keys()) if (best === undefined || running.get(group)! < running.get(best)!) best = group;
    if (best === undefined) return undefined;
    const queue = waiting.get(best)!;
    const item = queue.shift()!;
    waiting.delete(best);
    if (queue.length) waiting.set(best, queue);
    return { group: best, item };
  };

  const slot = async () => {
    for (let next = mayStart() ? pick() : undefined; next; next = mayStart() ? pick() : undefined) {
      running.set(next.group, running.get(next.group)! + 1);
      try {
        results.push(await fn(next.item));
      } finally {
        running.set(next.group, running.get(next.group)! - 1);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(slots, items.length) }, slot));
  return { results, unstarted: [...waiting.values()].flat() };
}

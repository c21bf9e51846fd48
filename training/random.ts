/** A small seeded PRNG (mulberry32) so shuffles, augmentation and initialisation are reproducible. */
export type Random = () => number;

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [low, high). */
export const uniform = (random: Random, low: number, high: number): number => low + (high - low) * random();

/** Fisher–Yates, in place. */
export function shuffleInPlace<T extends { length: number; [index: number]: number }>(
  items: T,
  random: Random,
): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = items[i] as number;
    items[i] = items[j] as number;
    items[j] = swap;
  }
  return items;
}

/** One of a unit's top images: which image, its spatial maximum, and where. */
export interface TopEntry {
  /** The image's id, as given to {@link topActivations}. */
  readonly id: string;
  /** The unit's spatial maximum over the image. */
  readonly value: number;
  /** Row and column of the maximum in the layer's map (the first in row-major order on ties; 0 for layers without space). */
  readonly y: number;
  readonly x: number;
}

/** `a` ranks above `b`: a higher value, or an equal value and an earlier id (so shards merge to the same order). */
export const ranksAbove = (a: TopEntry, b: TopEntry): boolean => a.value > b.value || (a.value === b.value && a.id < b.id);

/**
 * Offers `entry` to a unit's list (best first, at most `k` long, each id at most once),
 * in place. Most offers lose to a full list's last entry: that test comes first.
 */
export function offer(list: TopEntry[], entry: TopEntry, k: number): void {
  if (Number.isNaN(entry.value)) return;
  if (list.length === k && !ranksAbove(entry, list[k - 1])) return;
  const same = list.findIndex((e) => e.id === entry.id);
  if (same >= 0) {
    if (!ranksAbove(entry, list[same])) return;
    list.splice(same, 1);
  }
  let i = list.length;
  while (i > 0 && ranksAbove(entry, list[i - 1])) i--;
  list.splice(i, 0, entry);
  if (list.length > k) list.pop();
}

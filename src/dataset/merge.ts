import { DeepvisError } from '../errors';
import type { TopActivations } from './top-activations';
import { offer, type TopEntry } from './top-k';

/**
 * Merges two {@link topActivations} results over disjoint shards of a dataset into the
 * result one run over both would give (same k and size required; layers are united).
 * An id found in both keeps its better entry. Neither argument is changed.
 *
 * @example
 * ```ts
 * const [a, b] = await Promise.all([topActivations(net, shard1, opts), topActivations(net, shard2, opts)]);
 * const all = mergeTopActivations(a, b);
 * ```
 */
export function mergeTopActivations(a: TopActivations, b: TopActivations): TopActivations {
  if (a.k !== b.k) throw new DeepvisError('BAD_VALUE', `Cannot merge top-${a.k} and top-${b.k} results; run both shards with the same k.`);
  if (JSON.stringify(a.size) !== JSON.stringify(b.size)) {
    throw new DeepvisError('BAD_VALUE', `Cannot merge results at image sizes ${JSON.stringify(a.size)} and ${JSON.stringify(b.size)}; run both shards with the same size option.`);
  }
  const layers: Record<string, { units: TopEntry[][] }> = {};
  for (const name of new Set([...Object.keys(a.layers), ...Object.keys(b.layers)])) {
    const ua = a.layers[name]?.units ?? [];
    const ub = b.layers[name]?.units ?? [];
    if (ua.length && ub.length && ua.length !== ub.length) {
      throw new DeepvisError('BAD_VALUE', `Layer '${name}' has ${ua.length} units in one result and ${ub.length} in the other; were they made with the same net?`);
    }
    const units = Array.from({ length: Math.max(ua.length, ub.length) }, (_, c) => {
      const list = (ua[c] ?? []).map((e) => ({ ...e }));
      for (const e of ub[c] ?? []) offer(list, { ...e }, a.k);
      return list;
    });
    layers[name] = { units };
  }
  return { k: a.k, size: a.size, images: a.images + b.images, layers };
}

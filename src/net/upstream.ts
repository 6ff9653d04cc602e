import type { LayerInfo } from './types';

/** `true` when layer `from` is `to` or one of the layers `to` is computed from (by the layer table's inputs). */
export function feedsInto(layers: readonly LayerInfo[], from: string, to: string): boolean {
  const inputs = new Map(layers.map((l) => [l.name, l.inputs]));
  const seen = new Set<string>();
  const stack = [to];
  while (stack.length) {
    const name = stack.pop()!;
    if (name === from) return true;
    if (seen.has(name)) continue;
    seen.add(name);
    stack.push(...(inputs.get(name) ?? []));
  }
  return false;
}

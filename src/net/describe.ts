import type { Net } from './types';

/** A fixed-width table of a net's layers. */
export function describeLayers(net: Pick<Net, 'layers' | 'inputShape' | 'fullyConvolutional' | 'logits'>): string {
  const rows = net.layers.map((l) => [
    l.name,
    l.className,
    `[${l.outputShape.map((d) => d ?? '?').join(', ')}]`,
    l.activation ?? '',
    l.compiled ? 'compiled' : 'fallback',
    l.note ?? '',
  ]);
  const header = ['layer', 'class', 'output', 'activation', 'path', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const [h, w, c] = net.inputShape;
  const fallbacks = net.layers.filter((l) => !l.compiled).length;
  return [
    `input [${h ?? '?'}, ${w ?? '?'}, ${c}]${net.fullyConvolutional ? ' (any size)' : ''}; logits tap '${net.logits}'; ` +
      `${net.layers.length} layers, ${fallbacks} on the fallback path`,
    line(header),
    line(widths.map((n) => '-'.repeat(n))),
    ...rows.map(line),
  ].join('\n');
}

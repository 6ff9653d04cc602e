import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mergeTopActivations } from '../../dataset/merge';
import { choice, COMMON_OPTIONS, strs, unitList } from '../args';
import type { Command } from '../command';
import { resolveUnits, withRun } from '../context';
import { usageError } from '../errors';
import { fileInput } from '../images';
import { readTopFile, type TopFile } from '../shards';
import { drawTopImages, firstUnits } from './topk';

/**
 * Shard results merged into one (same layer, k, size, image folder and shard count; every
 * shard once), as {@link mergeTopActivations} does for two.
 */
export function mergeShards(files: readonly TopFile[]): TopFile {
  const [first] = files;
  const count = first.shard?.count ?? 1;
  for (const f of files) {
    const differs = f.layer !== first.layer ? `layer '${f.layer}' vs '${first.layer}'` : f.root !== first.root ? `image folder '${f.root}' vs '${first.root}'`
      : (f.shard?.count ?? 1) !== count ? `${f.shard?.count ?? 1} shards vs ${count}` : null;
    if (differs) throw usageError(`These shards are not of one scan: ${differs}.`, 'Merge the shards of one deepvis topk --shard i/N run (same --layer, --images and N).');
  }
  const seen = files.map((f) => f.shard?.index ?? 0);
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.includes(i));
  const twice = seen.filter((i, at) => seen.indexOf(i) !== at);
  if (missing.length > 0 || twice.length > 0) {
    throw usageError(`Shards ${missing.length > 0 ? `${missing.join(', ')} of ${count} are missing` : `${[...new Set(twice)].join(', ')} are given twice`}.`, 'Give --shards every shard once.');
  }
  return { layer: first.layer, root: first.root, model: first.model, top: files.map((f) => f.top).reduce((a, b) => mergeTopActivations(a, b)) };
}

const MODES = ['deconv', 'guided', 'gradient', 'none'] as const;

const options = {
  shards: { type: 'string', multiple: true, value: 'PATH', help: 'a shard: the top.json that deepvis topk --shard wrote, or its folder (repeat for each).' },
  units: { type: 'string', value: 'N[,N…]', help: 'units to draw. Default: the first 8.' },
  mode: { type: 'string', value: 'MODE', help: 'the view beside the crops: deconv | guided | gradient | none. Default deconv.' },
  ...COMMON_OPTIONS,
} as const;

/** `deepvis merge`: the shards of a top-k scan as one result and gallery. */
export const mergeCommand: Command = {
  name: 'merge',
  summary: 'merges the shards of deepvis topk --shard into one top-k result and gallery',
  description: 'Reads the top.json of every shard, merges them into the result one scan over all images gives, ' +
    'and draws each unit\'s top images as deepvis topk does (with the model the shards used: give the same --model). ' +
    'Writes top.json, one PNG per unit and index.html.',
  options,
  examples: [
    'deepvis merge --shards shards/0 --shards shards/1 --shards shards/2 --shards shards/3 --out top',
    'deepvis merge --model darknet/model.json --shards shards/* --units 0,1,2 --out top',
  ],
  async run(values, io) {
    const specs = strs(values, 'shards');
    if (specs.length === 0) throw usageError('Option --shards must name at least one shard (a top.json or its folder).');
    const mode = choice(values, 'mode', MODES, 'deconv');
    const unitItems = unitList(values, 'units');
    const merged = mergeShards(await Promise.all(specs.map(readTopFile)));
    const { root, layer, top } = merged;
    if (root === null) throw usageError('These shards scanned inputs that are not files (no --images): there are no images to draw.');
    return withRun('merge', values, 'deepvis-out/merge', io, async (ctx) => {
      ctx.net.layer(layer);
      const units = unitItems ? resolveUnits(ctx, layer, unitItems, 'units') : firstUnits(ctx, layer, 8);
      if (ctx.model.name !== merged.model) ctx.warn(`the shards were made with ${merged.model}; drawing with ${ctx.model.name}`);
      const [h, w] = top.size ?? [224, 224];
      await writeFile(ctx.output.path('top.json'), JSON.stringify(merged));
      await drawTopImages(ctx, top, (id) => fileInput(id, join(root, id), h, w).load(), { layer, units, k: top.k, mode, dir: '' });
    });
  },
};

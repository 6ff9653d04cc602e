import { writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { writeGallery } from '../../dataset/gallery-node';
import type { ImageLoader } from '../../dataset/unit-montage';
import type { TopActivations } from '../../dataset/index';
import { topActivationsInPool } from '../../parallel/pooled';
import type { BackwardRule } from '../../net/types';
import type { ImageDisplay } from '../../image/display';
import type { Preset } from '../../optimize/index';
import { choice, COMMON_OPTIONS, int, str, strs, unitList, WORKERS_OPTION } from '../args';
import { DISPLAY_OPTION, displayOption, optimizeTargets, presetsOption } from './optimize';
import type { Command } from '../command';
import { detectorLayer, layerOption, resolveUnits, runInputs, runSize, unitCount, unitLabel, withRun, type RunContext } from '../context';
import { usageError } from '../errors';
import { escapeHtml, page } from '../html';
import { imagesRoot, inputRefs, listImageFiles, type InputImage } from '../images';
import { scanWithCheckpoints, SCAN_BATCH, shardOption, shardSlice, type TopFile } from '../shards';

/** Options of {@link topImages}. */
export interface TopImagesOptions {
  readonly layer: string;
  readonly units: readonly number[];
  readonly k: number;
  readonly mode: BackwardRule | 'none';
  /** Subfolder of the output for the unit PNGs and the gallery page (`''` for the top). */
  readonly dir: string;
  /** The inputs' size `[h, w]` (files are fitted to it where they are read). */
  readonly size: readonly [number, number];
  /** Optimized images per unit already written (paths relative to the output folder), for the atlas. */
  readonly optimized?: Readonly<Record<number, readonly string[]>>;
}

/**
 * The dataset-centric view: {@link topActivationsInPool} streams the inputs through the net
 * (on `--workers` threads), then {@link drawTopImages} draws the units.
 */
export async function topImages(ctx: RunContext, inputs: readonly InputImage[], o: TopImagesOptions): Promise<{ top: TopActivations; images: string[]; html: string }> {
  const byId = distinctIds(inputs);
  const scan = ctx.bar('scan', inputs.length);
  const top = await topActivationsInPool(await ctx.runner(Math.ceil(inputs.length / SCAN_BATCH)), await inputRefs(inputs), {
    layers: [o.layer],
    size: o.size,
    k: o.k,
    batchSize: SCAN_BATCH,
    onProgress: (p) => scan.update(p.images),
  });
  scan.done();
  return { top, ...(await drawTopImages(ctx, top, (id) => byId.get(id)!.load(), o)) };
}

/** The inputs by id; two with one id exit with code 2. */
function distinctIds(inputs: readonly InputImage[]): Map<string, InputImage> {
  const byId = new Map(inputs.map((i) => [i.id, i]));
  if (byId.size !== inputs.length) throw usageError('Two inputs have the same name; give --images files with distinct names.');
  return byId;
}

/**
 * {@link writeGallery}: each unit's top-k receptive-field crops beside their backward views
 * (a PNG per unit and index.html in `o.dir`); paths relative to the output folder.
 */
export async function drawTopImages(ctx: RunContext, top: TopActivations, load: ImageLoader, o: Omit<TopImagesOptions, 'size'>): Promise<{ images: string[]; html: string }> {
  const draw = ctx.bar('top-k', o.units.length);
  const inDir = (p: string) => (o.dir ? relative(o.dir, p).split('\\').join('/') : p);
  const optimized = Object.fromEntries(Object.entries(o.optimized ?? {}).map(([unit, files]) => [unit, files.map(inDir)]));
  const files = await writeGallery(ctx.output.path(o.dir), ctx.net, top, load, {
    units: { [o.layer]: o.units },
    optimized: { [o.layer]: optimized },
    mode: o.mode,
    title: `Top ${o.k} images per unit of ${o.layer}`,
    model: ctx.model.name,
    onProgress: (p) => draw.update(p.done, unitLabel(ctx, o.layer, p.unit)),
  });
  draw.done();
  const rel = (p: string) => p.slice(ctx.output.dir.length + 1).split('\\').join('/');
  return { images: files.images.map(rel), html: rel(files.html) };
}

/**
 * Tool 2 for the units the atlas shows: each unit's channel optimized in `preset`'s style
 * (on `--workers` threads), written under `optimized/`; the files per unit.
 */
async function optimizeUnitsOf(ctx: RunContext, layer: string, units: readonly number[], preset: Preset, steps: number, size: readonly [number, number], display: ImageDisplay): Promise<Record<number, string[]>> {
  const safe = layer.replace(/[^A-Za-z0-9_.-]/g, '_');
  const targets = units.map((unit) => ({ unit: { layer, unit }, key: `${safe}-unit-${unit}`, label: unitLabel(ctx, layer, unit) }));
  const table = await optimizeTargets(ctx, targets, [preset], { steps, size, dir: 'optimized', display });
  return Object.fromEntries(units.map((unit, i) => [unit, table.files[i]]));
}

/** Units to show by default: the first `n` of the layer. */
export const firstUnits = (ctx: RunContext, layer: string, n: number) => Array.from({ length: Math.min(n, unitCount(ctx.net, layer)) }, (_, i) => i);

const MODES = ['deconv', 'guided', 'gradient', 'none'] as const;

const options = {
  images: { type: 'string', multiple: true, value: 'PATH', help: 'PNG/JPEG files or folders to scan (repeatable). Default: the shipped sample photos (darknet-tiny), 50 Fashion-MNIST test images per class (fashion-mnist).' },
  layer: { type: 'string', value: 'NAME', help: 'the layer whose units to rank. Default: the deepest rectifier layer whose units see at most a third of the image (local detectors).' },
  units: { type: 'string', value: 'N[,N…]', help: 'units to draw. Default: the first 8.' },
  k: { type: 'string', value: 'K', help: 'images per unit. Default 9 (as the paper).' },
  mode: { type: 'string', value: 'MODE', help: 'the view beside the crops: deconv | guided | gradient | none. Default deconv.' },
  size: { type: 'string', value: 'PX', help: "image side for fully convolutional models. Default: the model's input size (else 224)." },
  shard: { type: 'string', value: 'i/N', help: 'scan only the i-th (from 0) of N slices of the sorted images and write top.json, for deepvis merge.' },
  optimize: { type: 'string', value: 'STEPS', help: "also optimize each drawn unit (its channel at the map's centre) for STEPS steps and put the picture in the atlas and on the page, as the toolbox's unit column. Default off." },
  preset: { type: 'string', value: 'P', help: 'the style of --optimize: 1, 2, 3, 4 (the paper\'s) or lucid. Default lucid.' },
  display: DISPLAY_OPTION,
  'checkpoint-every': { type: 'string', value: 'N', help: 'write a checkpoint (<out>.checkpoint.json) every N images; a rerun resumes from it. Default 512.' },
  ...WORKERS_OPTION,
  ...COMMON_OPTIONS,
} as const;

/** `deepvis topk`: the top-k images of units over a folder of images. */
export const topkCommand: Command = {
  name: 'topk',
  summary: 'the top-9 images of units over a set of images, cropped to the receptive field, with deconv views',
  description: 'Scans the images, keeps for each unit the k with the highest spatial maximum, and draws each unit\'s ' +
    'receptive-field crops beside their backward views. Writes one PNG per unit, index.html, top.json and the unit atlas ' +
    '(atlas.json and each crop and view as its own PNG under units/) that `deepvis viewer --atlas DIR` shows; ' +
    'with --optimize STEPS also each unit\'s optimized image, in the atlas and on the page. ' +
    'With --shard i/N it scans one slice and writes top.json only, for deepvis merge; a killed run resumes from its checkpoint.',
  options,
  examples: [
    'deepvis topk --units 0,1,2,3',
    'deepvis topk --images ~/photos --layer leaky_re_lu_5',
    'deepvis topk --units 0,1,2,3 --optimize 128 --preset lucid',
    'deepvis topk --images ~/photos --layer leaky_re_lu_5 --shard 0/4 --out shards/0',
  ],
  async run(values, io) {
    const k = int(values, 'k', { min: 1, max: 100 }) ?? 9;
    const mode = choice(values, 'mode', MODES, 'deconv');
    const unitItems = unitList(values, 'units');
    const shard = shardOption(values);
    const every = int(values, 'checkpoint-every', { min: 1 }) ?? 512;
    const optimizeSteps = int(values, 'optimize', { min: 1, max: 100_000 });
    const presets = presetsOption(values, 'lucid');
    if (presets.length > 1) throw usageError('Option --preset of topk takes one style: 1, 2, 3, 4 or lucid.');
    const display = displayOption(values);
    if (shard && optimizeSteps !== undefined) throw usageError('Option --optimize draws units: use it on the whole scan or on deepvis merge, not with --shard.');
    const files = await listImageFiles(strs(values, 'images'));
    if (shard && files.length === 0) throw usageError('Option --shard needs --images: a shard scans a slice of image files.');
    const out = resolve(str(values, 'out') ?? 'deepvis-out/topk');
    return withRun('topk', values, 'deepvis-out/topk', io, async (ctx: RunContext) => {
      const size = runSize(ctx.net, values, 224);
      const layer = layerOption(ctx.net, values, () => detectorLayer(ctx.net, size));
      const units = unitItems ? resolveUnits(ctx, layer, unitItems, 'units') : firstUnits(ctx, layer, 8);
      const all = [...runInputs(ctx, files, size, 50)].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const byId = distinctIds(all);
      const inputs = shard ? shardSlice(all, shard) : all;
      const refs = await inputRefs(inputs);
      const key = JSON.stringify({ model: ctx.model.name, layer, k, size, shard, images: all.length, first: all[0]?.id, last: all.at(-1)?.id });
      const top = await scanWithCheckpoints(ctx, refs, { layer, k, size, file: `${out}.checkpoint.json`, every, key });
      const root = files.length > 0 ? imagesRoot(files) : null;
      await writeFile(ctx.output.path('top.json'), JSON.stringify({ layer, root, ...(shard ? { shard } : {}), model: ctx.model.name, top } satisfies TopFile));
      if (!shard) {
        const optimized = optimizeSteps === undefined ? undefined : await optimizeUnitsOf(ctx, layer, units, presets[0], optimizeSteps, size, display);
        await drawTopImages(ctx, top, (id) => byId.get(id)!.load(), { layer, units, k, mode, dir: '', ...(optimized ? { optimized } : {}) });
        return;
      }
      const facts = [`model ${ctx.model.name}`, `layer ${layer}`, `shard ${shard.index} of ${shard.count} (from 0)`, `${inputs.length} of ${all.length} images`];
      await writeFile(ctx.output.path('index.html'), page(`deepvis topk shard ${shard.index}/${shard.count}`, facts, [{
        title: 'A shard of a top-k scan',
        intro: `This folder's top.json holds the top ${k} images of every unit of <code>${escapeHtml(layer)}</code> over this shard's images. ` +
          'Merge all shards into one result and gallery with <code>deepvis merge --shards DIR --shards DIR …</code>.',
        body: '',
      }]));
    });
  },
};

import { writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { activations } from '../../activations/index';
import { ATTRIBUTION_METHODS, attributionMethodNamed, smoothGrad, varGrad, type AttributionMethod, type BackwardFilter } from '../../attribution/index';
import { writePng } from '../../image/node-io';
import { runJobs } from '../../parallel/pooled';
import { choice, COMMON_OPTIONS, int, strs, WORKERS_OPTION } from '../args';
import type { Command } from '../command';
import { camLayerOption, lastSpatialLayer, runInputs, runSize, safeName, singleUnitOption, spread, unitLabel, withRun, type RunContext } from '../context';
import { usageError } from '../errors';
import { escapeHtml, img, page } from '../html';
import { inputRefs, listImageFiles, type InputImage } from '../images';
import type { Output } from '../output';
import { predictionsHtml } from './activations';

/** The name of a registered attribution method (`ATTRIBUTION_METHODS`): guided, gradcam, occlusion… */
export type ViewMode = string;

/** Options of {@link backwardViews}. */
export interface BackwardViewOptions {
  /** The layer the signal starts from. */
  readonly layer: string;
  /** The unit; default each image's strongest unit of the layer (its top class on the logits). */
  readonly unit?: number;
  /** A registered method's name. */
  readonly mode: ViewMode;
  /** For the CAM methods: the layer of maps they weigh. */
  readonly camLayer?: string;
  /** For `'integrated'`: points on the path from the mean image. Default 32. */
  readonly steps?: number;
  readonly filter: BackwardFilter;
  readonly dir: string;
  /** SmoothGrad: average over this many noisy copies ({@link smoothGrad}); 0 or absent: one plain pass. */
  readonly smooth?: number;
  /** VarGrad: the variance over this many noisy copies ({@link varGrad}); 0 or absent: off. */
  readonly vargrad?: number;
  /** The inputs' size `[h, w]` (files are fitted to it where they are read). */
  readonly size: readonly [number, number];
}

/** What one backward row needs, on whichever thread it runs: the model, the seed and where to write. */
export type RowContext = Pick<RunContext, 'net' | 'model' | 'seed'> & { readonly output: Pick<Output, 'path'> };

/** Each image's strongest unit of `layer` (the spatial maximum for maps): the unit a backward view starts from. */
async function strongestUnit(ctx: RowContext, batch: tf.Tensor4D, layer: string): Promise<number> {
  const acts = activations(ctx.net, batch, { layers: [layer] });
  try {
    const best = tf.tidy(() => {
      const a = acts[layer];
      const perUnit = a.rank === 4 ? tf.max(a, [1, 2]) : a;
      return tf.argMax(tf.reshape(perUnit, [-1]));
    });
    try {
      return (await best.data())[0];
    } finally {
      best.dispose();
    }
  } finally {
    tf.dispose(acts);
  }
}

/**
 * For each input: the input, its top predictions and one registered attribution method's view
 * from one unit (its `run`, then its `draw`), as PNGs under `dir`, one job per input on
 * `--workers` threads. Returns the HTML table.
 */
export async function backwardViews(ctx: RunContext, inputs: readonly InputImage[], o: BackwardViewOptions): Promise<string> {
  attributionMethodNamed(o.mode);
  const bar = ctx.bar(o.mode, inputs.length);
  const refs = await inputRefs(inputs);
  let done = 0;
  const rows = await runJobs(await ctx.runner(refs.length), 'backwardRow', refs.map((image, index) => ({ image, index, view: o, outDir: ctx.output.dir, seed: ctx.seed })),
    'backward', undefined, (i) => bar.update(++done, refs[i].id));
  bar.done();
  return `<table>${rows.join('\n')}</table>`;
}

/** One input's row: the input and its view as PNGs under `o.dir`, with its top predictions; returns the row's HTML. */
export async function backwardRow(ctx: RowContext, pixels: tf.Tensor3D, id: string, i: number, o: BackwardViewOptions): Promise<string> {
  const method = attributionMethodNamed(o.mode);
  const run = o.smooth ? smoothGrad(method, { samples: o.smooth, seed: ctx.seed }) : o.vargrad ? varGrad(method, { samples: o.vargrad, seed: ctx.seed }) : method;
  const batch = tf.expandDims(pixels, 0) as tf.Tensor4D;
  try {
    const unit = o.unit ?? (await strongestUnit(ctx, batch, o.layer));
    const inputFile = `${o.dir}/${i}-input.png`;
    // Named for what it shows: the method (with its noise), and the filter that drew a per-pixel signal.
    const viewFile = `${o.dir}/${i}-${safeName(o.layer)}-${unit}-${safeName(run.name)}${run.kind === 'coarse' ? '' : `-${o.filter}`}.png`;
    await writePng(ctx.output.path(inputFile), pixels);
    const attribution = await run.run(ctx.net, batch, { layer: o.layer, channel: unit }, { camLayer: o.camLayer, steps: o.steps, ...occlusionPatch(batch) });
    const view = tf.tidy(() => run.draw(attribution, batch, { filter: o.filter }));
    try {
      await writePng(ctx.output.path(viewFile), view);
    } finally {
      tf.dispose([view, attribution.values]);
    }
    const width = Math.max(112, Math.min(pixels.shape[1], 224));
    const from = unitLabel(ctx, o.layer, unit);
    const how = caption(method, o);
    return `<tr><td>${img(inputFile, id, width)}<small>${escapeHtml(id)}</small>${predictionsHtml(ctx, batch)}</td>` +
      `<td>${img(viewFile, `${how} from ${from}`, width)}<small>${escapeHtml(`${how} from ${from}`)}</small></td></tr>`;
  } finally {
    tf.dispose([batch, pixels]);
  }
}

/** What the view shows, in words: the method, what it weighs or how many steps, the noise, the filter. */
function caption(method: AttributionMethod, o: BackwardViewOptions): string {
  let words = method.label;
  if (method.reads.includes('camLayer') && o.camLayer) words += ` of ${o.camLayer}`;
  if (method.reads.includes('steps')) words += `, ${o.steps ?? 32} steps`;
  if (o.smooth) words += `, SmoothGrad of ${o.smooth}`;
  if (o.vargrad) words += `, VarGrad of ${o.vargrad}`;
  return method.kind === 'coarse' ? words : `${words} (${o.filter})`;
}

/** Occlusion's patch for the CLI: a sixth of the image, every tenth. */
function occlusionPatch(batch: tf.Tensor4D): { window: number; stride: number } {
  const side = Math.min(batch.shape[1], batch.shape[2]);
  return { window: Math.max(1, Math.round(side / 6)), stride: Math.max(1, Math.round(side / 10)) };
}

const MODES: readonly ViewMode[] = ATTRIBUTION_METHODS.map((m) => m.name);
const FILTERS: readonly BackwardFilter[] = ['norm', 'normblur', 'raw', 'gray'];

const options = {
  images: { type: 'string', multiple: true, value: 'PATH', help: 'PNG/JPEG files or folders (repeatable). Default: the shipped sample photos (darknet-tiny), Fashion-MNIST test images (fashion-mnist).' },
  layer: { type: 'string', value: 'NAME', help: 'the layer the signal starts from. Default: the class logits.' },
  unit: { type: 'string', value: 'N|NAME', help: "the unit (on the logits a class number or name: flamingo). Default: each image's strongest unit (its top class)." },
  mode: { type: 'string', value: 'MODE', help: `the attribution method: ${ATTRIBUTION_METHODS.map((m) => `${m.name} (${m.label})`).join(' | ')}. Default guided.` },
  steps: { type: 'string', value: 'N', help: 'for integrated: points on the path from the mean image. Default 32.' },
  'cam-layer': { type: 'string', value: 'NAME', help: 'for gradcam and gradcam++: the layer of maps they weigh. Default: the last rectifier layer with a spatial map.' },
  filter: { type: 'string', value: 'F', help: 'how the signal is drawn: norm | normblur | raw | gray. Default norm.' },
  smooth: { type: 'string', value: 'N', help: 'SmoothGrad: average the method over N noisy copies of each image (15% noise; 25 is usual). Default 0 (off).' },
  vargrad: { type: 'string', value: 'N', help: 'VarGrad: the variance of the method over N noisy copies of each image. Default 0 (off).' },
  limit: { type: 'string', value: 'N', help: 'at most N images (spread over the list). Default 8.' },
  size: { type: 'string', value: 'PX', help: "image side for fully convolutional models. Default: the model's input size (else 224)." },
  ...WORKERS_OPTION,
  ...COMMON_OPTIONS,
} as const;

/** `deepvis backward`: any registered attribution method's view of a unit, for each image. */
export const backwardCommand: Command = {
  name: 'backward',
  summary: 'attribution maps (guided backprop, gradients, Integrated Gradients, Grad-CAM, occlusion…) from a unit back to the input',
  description: 'What in each image one unit (by default each image\'s top class) responds to, by the attribution method ' +
    '--mode names (any of the registry), optionally as SmoothGrad or VarGrad. Writes each input and its view as PNGs, and index.html.',
  options,
  examples: [
    'deepvis backward',
    'deepvis backward --mode deconv --layer leaky_re_lu_12 --unit 12',
    'deepvis backward --mode gradcam --cam-layer leaky_re_lu_15',
    'deepvis backward --model fashion-mnist --mode deconv --layer relu3 --unit 12',
  ],
  async run(values, io) {
    const limit = int(values, 'limit', { min: 1, max: 1000 }) ?? 8;
    const mode = choice(values, 'mode', MODES, 'guided');
    const filter = choice(values, 'filter', FILTERS, 'norm');
    const smooth = int(values, 'smooth', { min: 0, max: 1000 }) ?? 0;
    const vargrad = int(values, 'vargrad', { min: 0, max: 1000 }) ?? 0;
    if (smooth && vargrad) throw usageError('Options --smooth and --vargrad wrap the method in two ways; give one.');
    const steps = int(values, 'steps', { min: 1, max: 10000 });
    const target = singleUnitOption(values);
    const files = await listImageFiles(strs(values, 'images'));
    return withRun('backward', values, 'deepvis-out/backward', io, async (ctx) => {
      const { layer, unit } = target(ctx);
      const camLayer = attributionMethodNamed(mode).reads.includes('camLayer') ? camLayerOption(ctx.net, values, () => lastSpatialLayer(ctx.net)) : undefined;
      const size = runSize(ctx.net, values, 224);
      const inputs = spread(runInputs(ctx, files, size, 1), limit);
      const body = await backwardViews(ctx, inputs, { layer, unit, mode, camLayer, filter, dir: 'backward', smooth, vargrad, steps, size });
      const facts = [`model ${ctx.model.name}`, `backend ${ctx.backendName}`, `${size[0]}×${size[1]}`, `${inputs.length} images`];
      await writeFile(ctx.output.path('index.html'), page(`deepvis backward (${mode})`, facts, [{ title: `${mode} from ${layer}`, body }]));
    });
  },
};

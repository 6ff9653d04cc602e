import { writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { activations } from '../../activations/index';
import { backward, backwardImage, camImage, gradCam, integratedGradients, occlusion, smoothBackward, type BackwardFilter } from '../../attribution/index';
import { writePng } from '../../image/node-io';
import type { BackwardRule } from '../../net/types';
import { choice, COMMON_OPTIONS, int, str, strs, unitList, WORKERS_OPTION } from '../args';
import type { Command } from '../command';
import { lastSpatialLayer, resolveUnits, runInputs, runSize, safeName, spread, unitLabel, withRun, type RunContext } from '../context';
import { usageError } from '../errors';
import { escapeHtml, img, page } from '../html';
import { inputRefs, listImageFiles, type InputImage } from '../images';
import type { Output } from '../output';
import { runJobs } from '../../parallel/pooled';
import { predictionsHtml } from './activations';

/** A backward rule, Integrated Gradients, or a heat map over the image (Grad-CAM, occlusion). */
export type ViewMode = BackwardRule | 'integrated' | 'gradcam' | 'occlusion';

/** Options of {@link backwardViews}. */
export interface BackwardViewOptions {
  /** The layer the signal starts from. */
  readonly layer: string;
  /** The unit; default each image's strongest unit of the layer (its top class on the logits). */
  readonly unit?: number;
  readonly mode: ViewMode;
  /** For `'gradcam'`: the layer of maps it weighs. */
  readonly camLayer?: string;
  /** For `'integrated'`: points on the path from the mean image. Default 32. */
  readonly steps?: number;
  readonly filter: BackwardFilter;
  readonly dir: string;
  /** SmoothGrad: average over this many noisy copies ({@link smoothBackward}); 0 or absent: one plain pass. */
  readonly smooth?: number;
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
 * For each input: the input, its top predictions and the backward view ({@link backward}
 * then {@link backwardImage}) from one unit, as PNGs under `dir`, one job per input on
 * `--workers` threads. Returns the HTML table.
 */
export async function backwardViews(ctx: RunContext, inputs: readonly InputImage[], o: BackwardViewOptions): Promise<string> {
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
  const batch = tf.expandDims(pixels, 0) as tf.Tensor4D;
  try {
    const unit = o.unit ?? (await strongestUnit(ctx, batch, o.layer));
    const inputFile = `${o.dir}/${i}-input.png`;
    const viewFile = `${o.dir}/${i}-${safeName(o.layer)}-${unit}-${o.mode}.png`;
    await writePng(ctx.output.path(inputFile), pixels);
    const view = o.mode === 'gradcam'
      ? tf.tidy(() => camImage(gradCam(ctx.net, batch, { layer: o.camLayer!, channel: unit, target: o.layer }), batch))
      : o.mode === 'occlusion' ? await occlusionView(ctx, batch, o.layer, unit)
      : await signalView(ctx, batch, { layer: o.layer, channel: unit, mode: o.mode }, o);
    try {
      await writePng(ctx.output.path(viewFile), view);
    } finally {
      view.dispose();
    }
    const width = Math.max(112, Math.min(pixels.shape[1], 224));
    const from = unitLabel(ctx, o.layer, unit);
    const how = o.mode === 'gradcam' ? `Grad-CAM of ${o.camLayer}` : o.mode === 'occlusion' ? 'occlusion'
      : o.mode === 'integrated' ? `Integrated Gradients, ${o.steps ?? 32} steps`
      : o.smooth ? `${o.mode}, SmoothGrad of ${o.smooth}` : o.mode;
    return `<tr><td>${img(inputFile, id, width)}<small>${escapeHtml(id)}</small>${predictionsHtml(ctx, batch)}</td>` +
      `<td>${img(viewFile, `${how} from ${from}`, width)}<small>${escapeHtml(`${how} (${o.filter}) from ${from}`)}</small></td></tr>`;
  } finally {
    tf.dispose([batch, pixels]);
  }
}

/** The occlusion map (a patch a sixth of the image, every tenth) over the image, where hiding it costs the unit. */
async function occlusionView(ctx: RowContext, batch: tf.Tensor4D, layer: string, channel: number): Promise<tf.Tensor3D> {
  const side = Math.min(batch.shape[1], batch.shape[2]);
  const { map, drops } = await occlusion(ctx.net, batch, { layer, channel, window: Math.max(1, Math.round(side / 6)), stride: Math.max(1, Math.round(side / 10)) });
  try {
    return tf.tidy(() => camImage(tf.relu(map), batch));
  } finally {
    tf.dispose([map, drops]);
  }
}

/** One signal drawn with the filter: Integrated Gradients, or a backward rule (as SmoothGrad over `o.smooth` noisy copies). */
async function signalView(ctx: RowContext, batch: tf.Tensor4D, source: { layer: string; channel: number; mode: BackwardRule | 'integrated' }, o: BackwardViewOptions): Promise<tf.Tensor3D> {
  const { mode, ...unit } = source;
  const signal = mode === 'integrated'
    ? await integratedGradients(ctx.net, batch, { ...unit, steps: o.steps })
    : o.smooth ? await smoothBackward(ctx.net, batch, { ...unit, mode, samples: o.smooth, noiseSeed: ctx.seed }) : backward(ctx.net, batch, { ...unit, mode });
  try {
    return tf.tidy(() => backwardImage(signal, o.filter));
  } finally {
    signal.dispose();
  }
}

const MODES: readonly ViewMode[] = ['guided', 'deconv', 'gradient', 'integrated', 'gradcam', 'occlusion'];
const FILTERS: readonly BackwardFilter[] = ['norm', 'normblur', 'raw', 'gray'];

const options = {
  images: { type: 'string', multiple: true, value: 'PATH', help: 'PNG/JPEG files or folders (repeatable). Default for the embedded model: Fashion-MNIST test images.' },
  layer: { type: 'string', value: 'NAME', help: 'the layer the signal starts from. Default: the class logits.' },
  unit: { type: 'string', value: 'N|NAME', help: "the unit (on the logits a class number or name: flamingo). Default: each image's strongest unit (its top class)." },
  mode: { type: 'string', value: 'MODE', help: 'guided | deconv | gradient | integrated (Integrated Gradients) | gradcam | occlusion. Default guided (guided backprop).' },
  steps: { type: 'string', value: 'N', help: 'for integrated: points on the path from the mean image. Default 32.' },
  'cam-layer': { type: 'string', value: 'NAME', help: 'for gradcam: the layer of maps it weighs. Default: the last rectifier layer with a spatial map.' },
  filter: { type: 'string', value: 'F', help: 'how the signal is drawn: norm | normblur | raw | gray. Default norm.' },
  smooth: { type: 'string', value: 'N', help: 'SmoothGrad: average the view over N noisy copies of each image (15% noise; 25 is usual). Default 0 (off).' },
  limit: { type: 'string', value: 'N', help: 'at most N images (spread over the list). Default 8.' },
  size: { type: 'string', value: 'PX', help: "image side for fully convolutional models. Default: the model's input size (else 224)." },
  ...WORKERS_OPTION,
  ...COMMON_OPTIONS,
} as const;

/** `deepvis backward`: guided backprop, deconv or the plain gradient from a unit back to the image. */
export const backwardCommand: Command = {
  name: 'backward',
  summary: 'guided backprop, deconv, gradient or Grad-CAM images from a unit back to the input',
  description: 'The image-space signal of one unit (by default each image\'s top class), with the rule at every rectifier ' +
    'that --mode names, or its Grad-CAM map over the image (--mode gradcam). Writes each input and its view as PNGs, and index.html.',
  options,
  examples: [
    'deepvis backward',
    'deepvis backward --mode deconv --layer relu3 --unit 12',
    'deepvis backward --mode gradcam --cam-layer relu3',
    'deepvis backward --model ../shared/models/darknet-tiny-imagenet-tfjs/model.json --images ../shared/images/darknet-samples-7',
  ],
  async run(values, io) {
    const limit = int(values, 'limit', { min: 1, max: 1000 }) ?? 8;
    const mode = choice(values, 'mode', MODES, 'guided');
    const filter = choice(values, 'filter', FILTERS, 'norm');
    const smooth = int(values, 'smooth', { min: 0, max: 1000 }) ?? 0;
    const steps = int(values, 'steps', { min: 1, max: 10000 });
    const unitItems = unitList(values, 'unit');
    if (unitItems && unitItems.length > 1) throw usageError(`Option --unit takes one unit here; got '${str(values, 'unit')}'.`);
    const files = await listImageFiles(strs(values, 'images'));
    return withRun('backward', values, 'deepvis-out/backward', io, async (ctx) => {
      const layer = str(values, 'layer') ?? ctx.net.logits;
      ctx.net.layer(layer);
      const unit = unitItems && resolveUnits(ctx, layer, unitItems, 'unit')[0];
      const camLayer = mode === 'gradcam' ? str(values, 'cam-layer') ?? lastSpatialLayer(ctx.net) : undefined;
      if (camLayer) ctx.net.layer(camLayer);
      const size = runSize(ctx.net, values, 224);
      const inputs = spread(runInputs(ctx, files, size, 1), limit);
      const body = await backwardViews(ctx, inputs, { layer, unit, mode, camLayer, filter, dir: 'backward', smooth, steps, size });
      const facts = [`model ${ctx.model.name}`, `backend ${ctx.backend}`, `${size[0]}×${size[1]}`, `${inputs.length} images`];
      await writeFile(ctx.output.path('index.html'), page(`deepvis backward (${mode})`, facts, [{ title: `${mode} from ${layer}`, body }]));
    });
  },
};

import { writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { topPredictions } from '../../activations/index';
import { COMMON_OPTIONS, int, strs, unitList, WORKERS_OPTION } from '../args';
import type { Command } from '../command';
import { detectorLayer, layerOption, resolveUnits, runInputs, showcaseLayers, spread, unitLabel, withRun, type RunContext } from '../context';
import { usageError } from '../errors';
import { escapeHtml, figure, page, type Section } from '../html';
import { listImageFiles, type InputImage } from '../images';
import { activationGrids } from './activations';
import { backwardViews } from './backward';
import { DISPLAY_OPTION, displayOption, displayWidth, optimizeTargets, presetsOption, presetsTableHtml, type Target } from './optimize';
import { firstUnits, topImages } from './topk';

/** Models with at most this many classes get every class by default. */
const ALL_CLASSES_UP_TO = 10;
/** Classes drawn by default for models with more. */
const DEFAULT_CLASSES = 6;
/** Inputs larger than this (a side) count as "big": fewer steps and a smaller image by default. */
const SMALL_INPUT = 64;
/** Steps per preset for big models unless --steps says otherwise (the presets' own 500–1000 take long on a CPU). */
const BIG_MODEL_STEPS = 100;

/** The gallery's image size: `--size`, else the model's (small) input size, else 128 for fully convolutional nets. */
function gallerySize(ctx: RunContext, size: number | undefined): [number, number] {
  const [h, w] = ctx.net.inputShape;
  if (size !== undefined) {
    if (!ctx.net.fullyConvolutional && ((h !== null && h !== size) || (w !== null && w !== size))) {
      throw usageError(`Option --size ${size} does not fit this model: it takes ${h}×${w} images only (it is not fully convolutional).`, 'Leave --size out.');
    }
    return [size, size];
  }
  if (h !== null && w !== null && (Math.max(h, w) <= SMALL_INPUT || !ctx.net.fullyConvolutional)) return [h, w];
  return [128, 128];
}

/**
 * The classes to draw: `--classes`, else every class of a small classifier, else the
 * distinct top classes of the inputs, filled up with classes spread over the range.
 */
async function galleryClasses(ctx: RunContext, given: string[] | undefined, inputs: readonly InputImage[]): Promise<number[]> {
  const n = ctx.model.labels.length;
  if (given) {
    for (const c of given) if (/^\+?\d+$/.test(c) && Number(c) >= n) throw usageError(`Class ${c} is out of range: the model has ${n} classes (0…${n - 1}).`);
    return resolveUnits(ctx, ctx.net.logits, given, 'classes');
  }
  if (n <= ALL_CLASSES_UP_TO) return Array.from({ length: n }, (_, i) => i);
  const chosen = new Set<number>();
  for (const input of inputs) {
    if (chosen.size >= DEFAULT_CLASSES) break;
    const pixels = await input.load();
    const batch = tf.expandDims(pixels, 0) as tf.Tensor4D;
    try {
      chosen.add(topPredictions(ctx.net, batch, 1)[0].index);
    } finally {
      tf.dispose([pixels, batch]);
    }
  }
  for (const c of spread(Array.from({ length: n }, (_, i) => i), DEFAULT_CLASSES)) if (chosen.size < DEFAULT_CLASSES) chosen.add(c);
  return [...chosen];
}

const options = {
  classes: { type: 'string', value: 'N[,N…]', help: `classes to optimize (numbers or names). Default: all (≤ ${ALL_CLASSES_UP_TO} classes), else the top classes of the inputs (${DEFAULT_CLASSES}).` },
  preset: { type: 'string', value: 'P', help: 'Table 1 presets 1, 2, 3, 4, or lucid (the modern style), a list (1,3,lucid) or all (the paper\'s four). Default all.' },
  steps: { type: 'string', value: 'N', help: `steps per image. Default: each preset's own (500–1000) for inputs ≤ ${SMALL_INPUT} px, else ${BIG_MODEL_STEPS}.` },
  size: { type: 'string', value: 'PX', help: `image side of the optimized images. Default: the model's input size (≤ ${SMALL_INPUT} px or fixed), else 128.` },
  images: { type: 'string', multiple: true, value: 'PATH', help: 'PNG/JPEG files or folders (repeatable) for activations, backprop and top-9. Default: the shipped sample photos (darknet-tiny), Fashion-MNIST test images (fashion-mnist).' },
  samples: { type: 'string', value: 'N', help: 'inputs shown with activation grids and guided backprop. Default 4.' },
  layer: { type: 'string', value: 'NAME', help: 'layer of the top-9 units. Default: the deepest rectifier layer whose units see at most a third of the image.' },
  units: { type: 'string', value: 'N[,N…]', help: 'units of the top-9 view. Default: the first 6.' },
  display: DISPLAY_OPTION,
  ...WORKERS_OPTION,
  ...COMMON_OPTIONS,
} as const;

/** `deepvis gallery`: the whole tour of a model in one page. */
export const galleryCommand: Command = {
  name: 'gallery',
  summary: 'the whole tour: optimized images per class (4 presets), activations, guided backprop, top-9 images',
  description: 'For each class the four presets\' optimized images; for a few sample inputs the tiled activation grids ' +
    'and a guided-backprop view; the top-9 images of some units over all inputs with their deconvs. Writes PNGs and index.html.',
  options,
  examples: [
    'deepvis gallery',
    'deepvis gallery --classes 424,961,9 --steps 50 --out deepvis-out/quick',
    'deepvis gallery --images ~/photos',
    'deepvis gallery --model fashion-mnist',
  ],
  async run(values, io) {
    const given = unitList(values, 'classes');
    const steps = int(values, 'steps', { min: 1, max: 100_000 });
    const sizeOption = int(values, 'size', { min: 8, max: 2048 });
    const sampleCount = int(values, 'samples', { min: 1, max: 100 }) ?? 4;
    const unitItems = unitList(values, 'units');
    const presets = presetsOption(values, 'all');
    const display = displayOption(values);
    const files = await listImageFiles(strs(values, 'images'));
    return withRun('gallery', values, 'deepvis-out', io, async (ctx) => {
      const { net, model } = ctx;
      const layer = layerOption(net, values, () => detectorLayer(net, [net.inputShape[0] ?? 224, net.inputShape[1] ?? 224]));
      const units = unitItems ? resolveUnits(ctx, layer, unitItems, 'units') : firstUnits(ctx, layer, 6);
      const [h, w] = net.inputShape;
      const inputSize: [number, number] = [h ?? 224, w ?? 224];
      const size = gallerySize(ctx, sizeOption);
      const big = Math.max(inputSize[0], inputSize[1]) > SMALL_INPUT;
      const runSteps = steps ?? (big ? BIG_MODEL_STEPS : undefined);

      const pool = runInputs(ctx, files, inputSize, 20);
      const samples = spread(pool, sampleCount);
      const classes = await galleryClasses(ctx, given, pool);
      ctx.info(`gallery: ${classes.length} classes × ${presets.length} presets at ${size[0]}×${size[1]}, ${samples.length} samples, top-9 of ${units.length} units of ${layer} over ${pool.length} inputs`);

      const targets: Target[] = classes.map((c) => ({ unit: { class: c }, key: `class-${c}`, label: unitLabel(ctx, net.logits, c), classIndex: c }));
      const optimized = await optimizeTargets(ctx, targets, presets, { steps: runSteps, size, dir: 'optimized', display });
      const showLayers = showcaseLayers(net, 4);
      const grids = await activationGrids(ctx, samples, showLayers, 'grids');
      const guided = await backwardViews(ctx, samples, { layer: net.logits, mode: 'guided', filter: 'norm', dir: 'guided', size: inputSize });
      const top = await topImages(ctx, pool, { layer, units, k: 9, mode: 'deconv', dir: 'top', size: inputSize });

      const sections: Section[] = [
        {
          title: 'What each class looks for: regularized optimization',
          intro: `Images that maximize each class logit, one column per preset of the paper's Table 1 (${runSteps ?? 'the preset\'s own number of'} steps, ` +
            `${size[0]}×${size[1]}, seed ${ctx.seed}, shown ${display === 'norm01c' ? 'centred on the mean image and stretched (norm01c)' : 'as raw pixels'}); "best" is the highest logit reached. Optimization took ${optimized.seconds.toFixed(1)} s.`,
          body: presetsTableHtml(targets, presets, optimized, displayWidth(size[1]), model.labels),
        },
        {
          title: 'Activations of sample inputs',
          intro: `Each layer's channels as gray tiles (one min-max over the layer, faint channels boosted, gamma 0.7): ${showLayers.map((l) => `<code>${escapeHtml(l)}</code>`).join(', ')}.`,
          body: grids,
        },
        {
          title: 'Guided backprop from the top class',
          intro: 'Which pixels raise the top class\'s score, through guided backpropagation (Springenberg et al.), drawn as the norm over colour channels.',
          body: guided,
        },
        {
          title: `Top 9 inputs of units of ${layer}`,
          intro: `Over ${top.top.images} inputs, each unit's 9 inputs with the highest activation, cropped to the unit's receptive field, ` +
            `beside their deconv views. <a href="${escapeHtml(top.html)}">The top-9 page</a> lists every image and value.`,
          body: top.images.map((f, i) => figure(f, unitLabel(ctx, layer, units[i]))).join('\n'),
        },
      ];
      const facts = [`model ${model.name}`, `backend ${ctx.backendName}`, `${classes.length} classes`, `${pool.length} inputs`];
      await writeFile(ctx.output.path('index.html'), page('deepvis gallery', facts, sections));
    });
  },
};

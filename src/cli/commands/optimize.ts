import { writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { displayImage, IMAGE_DISPLAYS, type ImageDisplay } from '../../image/display';
import { writePng } from '../../image/node-io';
import { PAPER_PRESETS, PRESETS_BY_NAME, type Preset } from '../../optimize/index';
import type { UnitTarget } from '../../parallel/jobs';
import { optimizeUnitsInPool } from '../../parallel/pooled';
import { choice, COMMON_OPTIONS, int, str, unitList, WORKERS_OPTION, type OptionSpec, type Values } from '../args';
import type { Command } from '../command';
import { layerOption, resolveUnits, runSize, unitLabel, withRun, type RunContext } from '../context';
import { usageError } from '../errors';
import { escapeHtml, img, page } from '../html';

/** One row of a presets table: what is maximized and its name on the page. */
export interface Target {
  /** The unit or class, as plain data (it may be optimized on another thread). */
  readonly unit: UnitTarget;
  /** Short file-name-safe key (`class-3`, `conv2-unit-5`). */
  readonly key: string;
  /** What a person reads (`Dress (3)`). */
  readonly label: string;
  /** For a class logit, its index: the page flags an image the net does not rank top-1. */
  readonly classIndex?: number;
}

/** The images a presets run wrote: `files[row][preset]`, paths relative to the output folder. */
export interface PresetsTable {
  readonly files: string[][];
  readonly best: number[][];
  /** For class targets, the net's top-1 class of each image (`top[row][preset]`); `null` for other units. */
  readonly top: (number | null)[][];
  readonly seconds: number;
}

/** `--display`: how optimized images are saved (the toolbox's `norm01c` by default). */
export const DISPLAY_OPTION: OptionSpec = {
  type: 'string', value: 'D',
  help: "how images are saved: norm01c (centred on the mean image, stretched by the largest deviation, as the toolbox) | raw (the pixels as optimized). Default norm01c.",
};

/** `--display` as an {@link ImageDisplay}. */
export const displayOption = (values: Values): ImageDisplay => choice(values, 'display', IMAGE_DISPLAYS, 'norm01c');

/** `--preset`: 1–4, lucid, a list of them, or `all` (the paper's four). */
export function presetsOption(values: Values, fallback: 'all' | 'lucid' | number): Preset[] {
  const raw = str(values, 'preset') ?? String(fallback);
  if (raw === 'all') return [...PAPER_PRESETS];
  const list = raw.split(',').map((s) => s.trim());
  if (!list.every((s) => Object.hasOwn(PRESETS_BY_NAME, s))) throw usageError(`Option --preset must be 1, 2, 3, 4, lucid, a list of them (1,3,lucid) or all; got '${raw}'.`);
  return [...new Set(list)].map((s) => PRESETS_BY_NAME[s as keyof typeof PRESETS_BY_NAME]);
}

/** A preset's part of file names and progress labels: `preset3`, `lucid`. */
export function presetKey(preset: Preset): string {
  const number = PAPER_PRESETS.indexOf(preset) + 1;
  return number > 0 ? `preset${number}` : preset.name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** What a preset does, in one line: its non-zero regularizers, or its parameterization, transforms and optimizer. */
export function presetSummary(preset: Preset): string {
  const regularizers = preset.regularizers
    .filter((r) => Object.values(r.params).some((v) => v !== 0))
    .map((r) => `${r.name} ${Object.values(r.params).join('/')}`);
  const modern = [
    preset.parameterization && `${preset.parameterization.basis}${preset.parameterization.decorrelate ? ' decorrelated' : ''}${preset.parameterization.sigmoid ? ' sigmoid' : ''}`,
    preset.transforms?.length && preset.transforms.map((t) => t.kind).join('/'),
    preset.optimizer && preset.optimizer.kind === 'adam' && preset.lr.kind === 'constant' && `adam ${preset.lr.lr}`,
  ].filter((x): x is string => typeof x === 'string');
  return [...modern, ...regularizers].join(', ');
}

/**
 * The paper's Tool 2 for several targets and presets: per preset, one
 * {@link optimizeUnitsInPool} run over all targets (one run per target, on `--workers`
 * threads), each best image written as a PNG into `dir` of the output folder.
 */
export async function optimizeTargets(
  ctx: RunContext,
  targets: readonly Target[],
  presets: readonly Preset[],
  options: { steps?: number; size: readonly [number, number]; dir: string; display: ImageDisplay },
): Promise<PresetsTable> {
  const started = Date.now();
  const stepsOf = (p: Preset) => options.steps ?? p.steps;
  const total = presets.reduce((n, p) => n + stepsOf(p) * targets.length, 0);
  const bar = ctx.bar('optimize', total);
  const files: string[][] = targets.map(() => []);
  const best: number[][] = targets.map(() => []);
  const top: (number | null)[][] = targets.map(() => []);
  const runner = await ctx.runner(targets.length);
  let before = 0;
  for (const preset of presets) {
    const key = presetKey(preset);
    const results = await optimizeUnitsInPool(runner, targets.map((t) => t.unit), {
      preset: preset.name,
      steps: stepsOf(preset),
      size: options.size,
      seed: ctx.seed,
      onProgress: (p) => bar.update(before + p.steps, key),
    });
    before += stepsOf(preset) * targets.length;
    const classOf: (number | undefined)[] = [];
    for (const [i, r] of results.entries()) {
      const file = `${options.dir}/${targets[i].key}-${key}.png`;
      if (targets[i].classIndex !== undefined) classOf[i] = tf.tidy(() => tf.argMax(ctx.net.predict(tf.expandDims(r.image, 0) as tf.Tensor4D), 1).dataSync()[0]);
      const shown = displayImage(r.image, { mean: ctx.net.mean, display: options.display });
      try {
        await writePng(ctx.output.path(file), shown);
      } finally {
        tf.dispose([shown, r.image, r.last]);
      }
      files[i].push(file);
      best[i].push(r.best);
      top[i].push(classOf[i] ?? null);
    }
  }
  const seconds = (Date.now() - started) / 1000;
  bar.done(`${seconds.toFixed(1)} s`);
  return { files, best, top, seconds };
}

/** Why a run failed, in words (a negative best logit, or a class image the net ranks below another class), or `''`. */
function failure(target: Target, best: number, top: number | null, labels: readonly string[]): string {
  if (target.classIndex === undefined) return '';
  if (best < 0) return 'failed: best logit negative';
  return top !== null && top !== target.classIndex ? `failed: top-1 is ${labels[top] ?? top}` : '';
}

/** The HTML table of a presets run: a row per target, a column per preset; failed class runs flagged. */
export function presetsTableHtml(targets: readonly Target[], presets: readonly Preset[], table: PresetsTable, width: number, labels: readonly string[] = []): string {
  const head = presets.map((p) => `<th>${escapeHtml(p.name)}<br><small>${escapeHtml(presetSummary(p))}</small></th>`).join('');
  const rows = targets.map((t, i) => `<tr><th>${escapeHtml(t.label)}</th>${table.files[i]
    .map((f, j) => {
      const failed = failure(t, table.best[i][j], table.top[i][j], labels);
      return `<td${failed ? ' class="failed"' : ''}>${img(f, `${t.label}, ${presets[j].name}`, width)}<small>best ${table.best[i][j].toPrecision(4)}</small>` +
        `${failed ? `<br><small class="failed">${escapeHtml(failed)}</small>` : ''}</td>`;
    }).join('')}</tr>`);
  return `<table><tr><th></th>${head}</tr>\n${rows.join('\n')}</table>`;
}

/** Display width for small images: enlarged to at least 112 CSS pixels. */
export const displayWidth = (size: number) => Math.max(112, Math.min(size, 256));

const options = {
  layer: { type: 'string', value: 'NAME', help: 'the layer whose units to maximize. Default: the class logits (pre-softmax scores).' },
  unit: { type: 'string', value: 'N[,N…]', help: 'unit (channel) numbers, or on the logits class numbers or names (flamingo). Default 0.' },
  preset: { type: 'string', value: 'P', help: 'Table 1 preset 1, 2, 3, 4, or lucid (the modern style: Fourier, decorrelated colour, transforms, Adam), a list (1,3,lucid) or all (the paper\'s four). Default 3 (most of the paper\'s images).' },
  steps: { type: 'string', value: 'N', help: "steps per image. Default: the preset's own (500–1000)." },
  size: { type: 'string', value: 'PX', help: "image side for fully convolutional models. Default: the model's input size (else 224)." },
  display: DISPLAY_OPTION,
  ...WORKERS_OPTION,
  ...COMMON_OPTIONS,
} as const;

/** `deepvis optimize`: regularized activation maximization of units with the paper's presets. */
export const optimizeCommand: Command = {
  name: 'optimize',
  summary: 'regularized optimization: images that maximize units or classes (Table 1 presets)',
  description: 'Gradient ascent in pixel space, x ← r(x + η ∂a/∂x), with the regularizers of the paper\'s presets. ' +
    'Writes one PNG per unit and preset, and index.html showing them.',
  options,
  examples: [
    'deepvis optimize --unit 0,1,2 --preset all --steps 200',
    'deepvis optimize --unit 424 --size 128 --steps 200',
    'deepvis optimize --model fashion-mnist --layer relu3 --unit 5 --out deepvis-out/relu3-5',
  ],
  async run(values, io) {
    const unitItems = unitList(values, 'unit') ?? ['0'];
    const steps = int(values, 'steps', { min: 1, max: 100_000 });
    const presets = presetsOption(values, 3);
    const display = displayOption(values);
    return withRun('optimize', values, 'deepvis-out/optimize', io, async (ctx) => {
      const layer = layerOption(ctx.net, values, () => ctx.net.logits);
      const units = resolveUnits(ctx, layer, unitItems, 'unit');
      const size = runSize(ctx.net, values, 224);
      const isClass = layer === ctx.net.logits;
      const targets: Target[] = units.map((u) => isClass
        ? { unit: { class: u }, key: `class-${u}`, label: unitLabel(ctx, layer, u), classIndex: u }
        : { unit: { layer, unit: u }, key: `${layer.replace(/[^A-Za-z0-9_.-]/g, '_')}-unit-${u}`, label: unitLabel(ctx, layer, u) });
      const table = await optimizeTargets(ctx, targets, presets, { steps, size, dir: 'images', display });
      const facts = [`model ${ctx.model.name}`, `backend ${ctx.backendName}`, `${size[0]}×${size[1]}`, `seed ${ctx.seed}`,
        `steps ${steps ?? 'per preset'}`, `display ${display}`, `${table.seconds.toFixed(1)} s`];
      const intro = isClass
        ? 'Each image maximizes one class logit (pre-softmax score); "best" is the highest logit reached.'
        : `Each image maximizes one unit of <code>${escapeHtml(layer)}</code> at the centre of its map.`;
      const html = page('deepvis optimize', facts, [{ title: 'Regularized optimization', intro, body: presetsTableHtml(targets, presets, table, displayWidth(size[1]), ctx.model.labels) }]);
      await writeFile(ctx.output.path('index.html'), html);
    });
  },
};

import { writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import {
  ATTRIBUTION_METHODS, attributionMethodNamed, deletionInsertion, modelRandomization, passesRandomization, topHalfCorrelation,
  type AttributionMethod, type RandomizationResult,
} from '../../attribution/index';
import { montage } from '../../dataset/montage';
import { writePng } from '../../image/node-io';
import { COMMON_OPTIONS, int, str, strs } from '../args';
import { LINE_COLORS, lineChart, type Series } from '../chart';
import type { Command } from '../command';
import { camLayerOption, runInputs, runSize, safeName, singleUnitOption, spread, unitLabel, withRun, type RunContext } from '../context';
import { usageError } from '../errors';
import { escapeHtml, img, page } from '../html';
import { listImageFiles } from '../images';

const options = {
  images: { type: 'string', multiple: true, value: 'PATH', help: 'PNG/JPEG files or folders (repeatable). Default for the embedded model: Fashion-MNIST test images.' },
  methods: { type: 'string', value: 'LIST', help: `comma-separated methods to check. Default all: ${ATTRIBUTION_METHODS.map((m) => m.name).join(', ')}.` },
  layer: { type: 'string', value: 'NAME', help: 'the layer of the explained unit. Default: the class logits.' },
  unit: { type: 'string', value: 'N|NAME', help: "the unit (on the logits a class number or name). Default: each image's top class." },
  depth: { type: 'string', value: 'N', help: 'randomize only the top N layers with weights. Default all.' },
  steps: { type: 'string', value: 'N', help: 'Integrated Gradients: points on the path. Default 16.' },
  'cam-layer': { type: 'string', value: 'NAME', help: 'the layer of maps the CAM methods weigh. Default: the last rectifier layer with maps.' },
  limit: { type: 'string', value: 'N', help: 'at most N images (spread over the list). Default 3.' },
  size: { type: 'string', value: 'PX', help: "image side for fully convolutional models. Default 112 (the check runs every method once per layer)." },
  ...COMMON_OPTIONS,
} as const;

const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length;
/** Element-wise mean of equally long lists. */
const meanCurve = (lists: readonly (readonly number[])[]) => lists[0].map((_, i) => mean(lists.map((l) => l[i])));
const swatch = (i: number) => `<span style="display:inline-block;width:12px;height:12px;background:rgb(${LINE_COLORS[i % LINE_COLORS.length].join(',')})"></span>`;

/** One method's numbers over every image. */
interface MethodRow {
  readonly method: AttributionMethod;
  readonly cascades: RandomizationResult[];
  readonly deletion: number[][];
  readonly insertion: number[][];
  readonly deletionAuc: number[];
  readonly insertionAuc: number[];
}

/** The report's charts as PNGs, and their legend. */
async function charts(ctx: RunContext, rows: readonly MethodRow[]): Promise<string> {
  const line = (values: (r: MethodRow) => number[]): Series[] => rows.map((r, i) => ({ values: values(r), color: LINE_COLORS[i % LINE_COLORS.length] }));
  const perStep = (r: MethodRow, key: 'spearman' | 'ssim') => r.cascades[0].steps.map((_, k) => mean(r.cascades.flatMap((c) => c.steps[k][key])));
  const files: [string, string, Series[], number, number][] = [
    ['spearman.png', 'Spearman rank correlation with the trained model\'s map, trained model then each layer randomized (top first)', line((r) => perStep(r, 'spearman')), -0.25, 1],
    ['ssim.png', 'SSIM with the trained model\'s map, same steps', line((r) => perStep(r, 'ssim')), -0.25, 1],
    ['deletion.png', 'Deletion: the class probability as the most important pixels are deleted first (0 → 100 %): lower is more faithful', line((r) => meanCurve(r.deletion)), 0, 1],
    ['insertion.png', 'Insertion: the class probability as the most important pixels are put into the blurred image first: higher is more faithful', line((r) => meanCurve(r.insertion)), 0, 1],
  ];
  const figures: string[] = [];
  for (const [file, caption, series, lo, hi] of files) {
    const picture = lineChart(series, lo, hi);
    await writePng(ctx.output.path(`sanity/${file}`), picture);
    picture.dispose();
    figures.push(`<figure>${img(`sanity/${file}`, caption)}<figcaption>${escapeHtml(caption)} (y from ${lo} to ${hi}; mean over the images)</figcaption></figure>`);
  }
  const legend = rows.map((r, i) => `${swatch(i)} ${escapeHtml(r.method.label)}`).join(' &nbsp; ');
  return `<p>${legend}</p>${figures.join('\n')}`;
}

/** The table: per method, the randomization verdict and the faithfulness areas. */
function table(rows: readonly MethodRow[]): string {
  const f = (v: number) => v.toFixed(3);
  const head = '<tr><th></th><th>method</th><th>ρ, top half randomized</th><th>ρ, all randomized</th><th>SSIM, all randomized</th><th>randomization check</th><th>deletion AUC ↓</th><th>insertion AUC ↑</th></tr>';
  const body = rows.map((r, i) => {
    const last = (key: 'spearman' | 'ssim') => mean(r.cascades.flatMap((c) => c.steps[c.steps.length - 1][key]));
    const passes = r.cascades.every((c) => passesRandomization(c));
    return `<tr><td>${swatch(i)}</td><td>${escapeHtml(r.method.label)}</td><td>${f(mean(r.cascades.map(topHalfCorrelation)))}</td><td>${f(last('spearman'))}</td><td>${f(last('ssim'))}</td>` +
      `<td>${passes ? 'passes' : '<b>fails</b>'}</td><td>${f(mean(r.deletionAuc))}</td><td>${f(mean(r.insertionAuc))}</td></tr>`;
  });
  return `<table>${head}${body.join('')}</table>`;
}

/** `deepvis sanity`: are the attribution maps about the model, and faithful to it? */
export const sanityCommand: Command = {
  name: 'sanity',
  summary: 'checks attribution methods: model randomization (Adebayo et al.) and deletion / insertion curves (Petsiuk et al.)',
  description: 'For each image and each registered attribution method (or --methods): the cascading model-randomization check ' +
    '(the layers randomized from the top down; Spearman rank correlation and SSIM of each map with the trained model\'s) and the ' +
    'deletion and insertion curves with their areas. Writes the maps at every cascade step, the curves as PNGs, and index.html ' +
    'with the verdicts. Needs a LayersModel (its weights are redrawn, then put back).',
  options,
  examples: [
    'deepvis sanity',
    'deepvis sanity --methods gradient,guided,integrated --depth 4',
    'deepvis sanity --model ../shared/models/darknet-tiny-imagenet-tfjs/model.json --images ../shared/images/darknet-samples-7 --limit 3',
  ],
  async run(values, io) {
    const limit = int(values, 'limit', { min: 1, max: 100 }) ?? 3;
    const depth = int(values, 'depth', { min: 1, max: 10_000 });
    const steps = int(values, 'steps', { min: 1, max: 10_000 }) ?? 16;
    const methods = (str(values, 'methods')?.split(',').map((s) => s.trim()).filter((s) => s) ?? ATTRIBUTION_METHODS.map((m) => m.name)).map((name) => {
      try {
        return attributionMethodNamed(name);
      } catch (e) {
        throw usageError(`Option --methods: ${(e as Error).message}`);
      }
    });
    const target = singleUnitOption(values);
    const files = await listImageFiles(strs(values, 'images'));
    return withRun('sanity', values, 'deepvis-out/sanity', io, async (ctx) => {
      const { layer, unit: fixedUnit } = target(ctx);
      const camLayer = camLayerOption(ctx.net, values);
      const size = ctx.net.fullyConvolutional && !str(values, 'size') ? [112, 112] as [number, number] : runSize(ctx.net, values, 112);
      const inputs = spread(runInputs(ctx, files, size, 1), limit);
      const rows: MethodRow[] = methods.map((method) => ({ method, cascades: [], deletion: [], insertion: [], deletionAuc: [], insertionAuc: [] }));
      const sections: { title: string; body: string }[] = [];
      const bar = ctx.bar('sanity', inputs.length);
      for (const [i, input] of inputs.entries()) {
        const pixels = await input.load();
        const x = tf.expandDims(pixels, 0) as tf.Tensor4D;
        try {
          const unit = fixedUnit ?? tf.tidy(() => tf.argMax(tf.reshape(ctx.net.forward(x, { taps: [layer] })[layer], [-1])).dataSync()[0]);
          const target = { layer, channel: unit };
          const methodOptions = { camLayer, steps };
          const cascades = await modelRandomization(ctx.model.source, x, target, {
            ...methodOptions, netOptions: ctx.model.netOptions, methods, depth, seed: ctx.seed, pictures: { percentile: 99 },
          });
          const file = `sanity/${i}-${safeName(input.id)}-cascade.png`;
          const sheet = montage(cascades.flatMap((c) => c.pictures!), { cols: cascades[0].steps.length, gap: 4 });
          await writePng(ctx.output.path(file), sheet);
          tf.dispose([sheet, ...cascades.flatMap((c) => c.pictures!)]);
          for (const [k, c] of cascades.entries()) rows[k].cascades.push(c);
          for (const row of rows) {
            const a = await row.method.run(ctx.net, x, target, methodOptions);
            try {
              const c = await deletionInsertion(ctx.net, x, target, a);
              row.deletion.push([...c.deletion]);
              row.insertion.push([...c.insertion]);
              row.deletionAuc.push(c.deletionAuc);
              row.insertionAuc.push(c.insertionAuc);
            } finally {
              a.values.dispose();
            }
          }
          const columns = ['trained', ...cascades[0].steps.slice(1).map((s) => `…${s.layer}`)].map(escapeHtml).join(' · ');
          sections.push({
            title: `${input.id}: ${unitLabel(ctx, layer, unit)}`,
            body: `<p>Rows: ${methods.map((m) => escapeHtml(m.label)).join(', ')}. Columns: ${columns} (each layer from the top down to the one named randomized).</p>` +
              `${img(file, `${input.id} through the cascade`)}`,
          });
        } finally {
          tf.dispose([x, pixels]);
        }
        bar.update(i + 1, input.id);
      }
      bar.done();
      const passed = rows.filter((r) => r.cascades.every((c) => passesRandomization(c))).map((r) => r.method.label);
      const summary = { title: 'Verdicts', body: `<p>Passing the randomization check (ρ below 0.7 while the top half of the layers is random): ${passed.map(escapeHtml).join(', ') || 'none'}.</p>${table(rows)}` };
      const curves = { title: 'Curves', body: await charts(ctx, rows) };
      const facts = [`model ${ctx.model.name}`, `backend ${ctx.backend}`, `${size[0]}×${size[1]}`, `${inputs.length} images`, `seed ${ctx.seed}`];
      await writeFile(ctx.output.path('index.html'), page('deepvis sanity', facts, [summary, curves, ...sections]));
      await writeFile(ctx.output.path('sanity/results.json'), JSON.stringify(rows.map((r) => ({
        method: r.method.name, label: r.method.label, topHalfSpearman: mean(r.cascades.map(topHalfCorrelation)),
        passes: r.cascades.every((c) => passesRandomization(c)), deletionAuc: mean(r.deletionAuc), insertionAuc: mean(r.insertionAuc),
        steps: r.cascades[0].steps.map((s, k) => ({ layer: s.layer, spearman: mean(r.cascades.flatMap((c) => c.steps[k].spearman)), ssim: mean(r.cascades.flatMap((c) => c.steps[k].ssim)) })),
      })), null, 2));
    });
  },
};

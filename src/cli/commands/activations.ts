import { writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { activations, tileActivations, topPredictions } from '../../activations/index';
import { writePng } from '../../image/node-io';
import { COMMON_OPTIONS, int, num, strs } from '../args';
import type { Command } from '../command';
import { layersOption, runInputs, runSize, safeName, showcaseLayers, spread, withRun, type RunContext } from '../context';
import { escapeHtml, figure, img, page } from '../html';
import { listImageFiles, type InputImage } from '../images';

/** Display width of an input image on the page. */
const inputWidth = (w: number) => Math.max(112, Math.min(w, 224));

/** An input's top predictions as an HTML list. */
export function predictionsHtml(ctx: Pick<RunContext, 'net' | 'model'>, pixels: tf.Tensor4D): string {
  const k = Math.min(5, ctx.model.labels.length);
  return `<ol>${topPredictions(ctx.net, pixels, k, ctx.model.labels)
    .map((p) => `<li>${escapeHtml(p.label)} ${(100 * p.probability).toFixed(1)}%</li>`).join('')}</ol>`;
}

/**
 * For each input: the input, its top-5 predictions and the tiled activation grid of each
 * layer ({@link activations} then {@link tileActivations}: one min-max over the layer), as
 * PNGs under `dir`. Returns the HTML (a table, a row per input).
 */
export async function activationGrids(ctx: RunContext, inputs: readonly InputImage[], layers: readonly string[], dir: string, boost = 0): Promise<string> {
  const bar = ctx.bar('activations', inputs.length);
  const rows: string[] = [];
  for (const [i, input] of inputs.entries()) {
    const pixels = await input.load();
    const cells: string[] = [];
    let predictions = '';
    try {
      const batch = tf.expandDims(pixels, 0) as tf.Tensor4D;
      try {
        const inputFile = `${dir}/${i}-input.png`;
        await writePng(ctx.output.path(inputFile), pixels);
        predictions = predictionsHtml(ctx, batch);
        cells.push(`<td>${img(inputFile, input.id, inputWidth(pixels.shape[1]))}<small>${escapeHtml(input.id)}</small>${predictions}</td>`);
        const acts = activations(ctx.net, batch, { layers });
        try {
          for (const layer of layers) {
            const grid = tileActivations(acts[layer], { boost });
            const file = `${dir}/${i}-${safeName(layer)}.png`;
            try {
              await writePng(ctx.output.path(file), grid);
              cells.push(`<td>${figure(file, `${layer} (${acts[layer].shape.slice(1).join('×')})`, Math.min(Math.max(grid.shape[1], 160), 320))}</td>`);
            } finally {
              grid.dispose();
            }
          }
        } finally {
          tf.dispose(acts);
        }
      } finally {
        batch.dispose();
      }
    } finally {
      pixels.dispose();
    }
    rows.push(`<tr>${cells.join('')}</tr>`);
    bar.update(i + 1, input.id);
  }
  bar.done();
  return `<table>${rows.join('\n')}</table>`;
}

const options = {
  images: { type: 'string', multiple: true, value: 'PATH', help: 'PNG/JPEG files or folders (repeatable). Default: the shipped sample photos (darknet-tiny), Fashion-MNIST test images (fashion-mnist).' },
  layer: { type: 'string', value: 'NAME[,NAME…]', help: 'layers to show. Default: up to 4 rectifier layers from first to last.' },
  limit: { type: 'string', value: 'N', help: 'at most N images (spread over the list). Default 8.' },
  boost: { type: 'string', value: 'B', help: 'per-channel boost for faint channels: 0, 0.3, 0.5, 0.8, 1. Default 0.' },
  size: { type: 'string', value: 'PX', help: "image side for fully convolutional models. Default: the model's input size (else 224)." },
  ...COMMON_OPTIONS,
} as const;

/** `deepvis activations`: every channel of some layers as tiled grids, for a few images. */
export const activationsCommand: Command = {
  name: 'activations',
  summary: 'tiled activation grids of layers for some images, with top-5 predictions',
  description: 'Each layer\'s channels as a near-square grid of gray tiles (one min-max over the whole layer, as the toolbox). ' +
    'Writes the inputs and one PNG per image and layer, and index.html.',
  options,
  examples: [
    'deepvis activations',
    'deepvis activations --images ~/photos --layer leaky_re_lu_1,leaky_re_lu_5',
    'deepvis activations --model fashion-mnist',
  ],
  async run(values, io) {
    const limit = int(values, 'limit', { min: 1, max: 1000 }) ?? 8;
    const boost = num(values, 'boost', { min: 0, max: 1 }) ?? 0;
    const files = await listImageFiles(strs(values, 'images'));
    return withRun('activations', values, 'deepvis-out/activations', io, async (ctx) => {
      const layers = layersOption(ctx.net, values, () => showcaseLayers(ctx.net, 4));
      const size = runSize(ctx.net, values, 224);
      const inputs = spread(runInputs(ctx, files, size, 1), limit);
      const body = await activationGrids(ctx, inputs, layers, 'activations', boost);
      const facts = [`model ${ctx.model.name}`, `backend ${ctx.backend}`, `${size[0]}×${size[1]}`, `${inputs.length} images`];
      await writeFile(ctx.output.path('index.html'), page('deepvis activations', facts, [{
        title: 'Layer activations',
        intro: `Layers ${layers.map((l) => `<code>${escapeHtml(l)}</code>`).join(', ')}: each channel a gray tile, white = the layer's highest value${boost ? `, boost ${boost}` : ''}.`,
        body,
      }]));
    });
  },
};

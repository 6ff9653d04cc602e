import { writeGallery } from '../../dataset/gallery-node';
import { topActivations, type DatasetImage, type TopActivations } from '../../dataset/index';
import type { BackwardRule } from '../../net/types';
import { choice, COMMON_OPTIONS, int, str, strs, unitList } from '../args';
import type { Command } from '../command';
import { lastSpatialLayer, resolveUnits, runInputs, runSize, unitCount, unitLabel, withRun, type RunContext } from '../context';
import { usageError } from '../errors';
import { listImageFiles, type InputImage } from '../images';

/** Options of {@link topImages}. */
export interface TopImagesOptions {
  readonly layer: string;
  readonly units: readonly number[];
  readonly k: number;
  readonly mode: BackwardRule | 'none';
  /** Subfolder of the output for the unit PNGs and the gallery page (`''` for the top). */
  readonly dir: string;
}

/**
 * The dataset-centric view: {@link topActivations} streams the inputs through the net,
 * then {@link writeGallery} draws each unit's top-k receptive-field crops beside their
 * backward views (PNG per unit + index.html in `dir`).
 */
export async function topImages(ctx: RunContext, inputs: readonly InputImage[], o: TopImagesOptions): Promise<{ top: TopActivations; images: string[]; html: string }> {
  const byId = new Map(inputs.map((i) => [i.id, i]));
  if (byId.size !== inputs.length) throw usageError('Two inputs have the same name; give --images files with distinct names.');
  const scan = ctx.bar('scan', inputs.length);
  async function* stream(): AsyncGenerator<DatasetImage> {
    for (const input of inputs) yield { id: input.id, pixels: await input.load() };
  }
  const top = await topActivations(ctx.net, stream(), {
    layers: [o.layer],
    k: o.k,
    dispose: true,
    onProgress: (p) => scan.update(p.images),
  });
  scan.done();
  const draw = ctx.bar('top-k', o.units.length);
  const files = await writeGallery(ctx.output.path(o.dir), ctx.net, top, (id) => byId.get(id)!.load(), {
    units: { [o.layer]: o.units },
    mode: o.mode,
    title: `Top ${o.k} images per unit of ${o.layer}`,
    model: ctx.model.name,
    onProgress: (p) => draw.update(p.done, unitLabel(ctx, o.layer, p.unit)),
  });
  draw.done();
  const rel = (p: string) => p.slice(ctx.output.dir.length + 1).split('\\').join('/');
  return { top, images: files.images.map(rel), html: rel(files.html) };
}

/** Units to show by default: the first `n` of the layer. */
export const firstUnits = (ctx: RunContext, layer: string, n: number) => Array.from({ length: Math.min(n, unitCount(ctx.net, layer)) }, (_, i) => i);

const MODES = ['deconv', 'guided', 'gradient', 'none'] as const;

const options = {
  images: { type: 'string', multiple: true, value: 'PATH', help: 'PNG/JPEG files or folders to scan (repeatable). Default: the shipped sample photos (darknet-tiny), 50 Fashion-MNIST test images per class (fashion-mnist).' },
  layer: { type: 'string', value: 'NAME', help: 'the layer whose units to rank. Default: the last rectifier layer with a spatial map.' },
  units: { type: 'string', value: 'N[,N…]', help: 'units to draw. Default: the first 8.' },
  k: { type: 'string', value: 'K', help: 'images per unit. Default 9 (as the paper).' },
  mode: { type: 'string', value: 'MODE', help: 'the view beside the crops: deconv | guided | gradient | none. Default deconv.' },
  size: { type: 'string', value: 'PX', help: "image side for fully convolutional models. Default: the model's input size (else 224)." },
  ...COMMON_OPTIONS,
} as const;

/** `deepvis topk`: the top-k images of units over a folder of images. */
export const topkCommand: Command = {
  name: 'topk',
  summary: 'the top-9 images of units over a set of images, cropped to the receptive field, with deconv views',
  description: 'Scans the images, keeps for each unit the k with the highest spatial maximum, and draws each unit\'s ' +
    'receptive-field crops beside their backward views. Writes one PNG per unit, index.html, and the unit atlas ' +
    '(atlas.json and each crop and view as its own PNG under units/) that `deepvis viewer --atlas DIR` shows.',
  options,
  examples: [
    'deepvis topk --units 0,1,2,3',
    'deepvis topk --images ~/photos --layer leaky_re_lu_5',
  ],
  async run(values, io) {
    const k = int(values, 'k', { min: 1, max: 100 }) ?? 9;
    const mode = choice(values, 'mode', MODES, 'deconv');
    const unitItems = unitList(values, 'units');
    const files = await listImageFiles(strs(values, 'images'));
    return withRun('topk', values, 'deepvis-out/topk', io, async (ctx: RunContext) => {
      const layer = str(values, 'layer') ?? lastSpatialLayer(ctx.net);
      ctx.net.layer(layer);
      const units = unitItems ? resolveUnits(ctx, layer, unitItems, 'units') : firstUnits(ctx, layer, 8);
      const size = runSize(ctx.net, values, 224);
      await topImages(ctx, runInputs(ctx, files, size, 50), { layer, units, k, mode, dir: '' });
    });
  },
};

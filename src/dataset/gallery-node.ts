import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Net } from '../net/types';
import { checkOption } from '../errors';
import { writePng } from '../image/node-io';
import * as tf from '@tensorflow/tfjs-core';
import { ATLAS_FORMAT, type Atlas, type AtlasUnit } from './atlas';
import type { TopActivations } from './top-activations';
import { layOutTiles, unitTiles, type ImageLoader, type UnitMontageOptions } from './unit-montage';

/** Options for {@link writeGallery}. */
export interface GalleryOptions extends UnitMontageOptions {
  /** Which units to draw, per layer. Default: every unit of every layer in the result. */
  units?: Readonly<Record<string, readonly number[]>>;
  /** The page title. Default `'Top images per unit'`. */
  title?: string;
  /** The model's name, in words, for the atlas. Default `'model'`. */
  model?: string;
  /**
   * Optimized images of units already written (Tool 2's picture of what each unit looks for),
   * per layer and unit: paths relative to `dir`. They are listed in the atlas (the viewer's unit
   * column shows them) and on the page. Default none.
   */
  optimized?: Readonly<Record<string, Readonly<Record<number, readonly string[]>>>>;
  /** Called after each unit's PNG is written. */
  onProgress?: (progress: { done: number; total: number; layer: string; unit: number }) => void;
}

/** What {@link writeGallery} wrote. */
export interface GalleryFiles {
  /** The HTML page. */
  readonly html: string;
  /** One PNG per unit, in page order. */
  readonly images: readonly string[];
  /** The unit atlas (atlas.json; its tiles under `units/`), which the viewer's per-unit column reads. */
  readonly atlas: string;
}

const safe = (name: string) => name.replace(/[^A-Za-z0-9_.-]/g, '_');
const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * Writes a gallery of a `topActivations` result into `dir`: one PNG per unit (its
 * top crops beside their backward views, as `unitMontage` draws them), `index.html`
 * showing them by layer, each with its images' ids, values and positions, and the unit
 * atlas: `atlas.json` (see `parseAtlas`) with every crop and backward view as its own PNG
 * under `units/LAYER/UNIT/`. Node only.
 *
 * @example
 * ```ts
 * const files = await writeGallery('out/gallery', net, top, (id) => readImage(id), {
 *   units: { leaky_re_lu_5: [0, 1, 2, 3] }, mode: 'deconv' });
 * console.log(`open ${files.html}`);
 * ```
 */
export async function writeGallery(dir: string, net: Net, top: TopActivations, load: ImageLoader, options: GalleryOptions = {}): Promise<GalleryFiles> {
  const { units, title = 'Top images per unit', onProgress, model = 'model', optimized = {}, ...montageOptions } = options;
  checkOption(typeof dir === 'string' && dir.length > 0, 'dir', 'a folder path', dir);
  const wanted = Object.entries(units ?? Object.fromEntries(Object.entries(top.layers).map(([l, v]) => [l, v.units.map((_, i) => i)])));
  const total = wanted.reduce((n, [, list]) => n + list.length, 0);
  await mkdir(dir, { recursive: true });
  const images: string[] = [];
  const sections: string[] = [];
  let done = 0;
  const mode = montageOptions.mode ?? 'deconv';
  const atlasLayers: Record<string, { units: Record<string, AtlasUnit> }> = {};
  for (const [layer, list] of wanted) {
    const figures: string[] = [];
    const atlasUnits: Record<string, AtlasUnit> = (atlasLayers[layer] = { units: {} }).units;
    for (const unit of list) {
      const tiles = await unitTiles(net, top, layer, unit, load, montageOptions);
      const file = `${safe(layer)}-unit-${unit}.png`;
      const folder = `units/${safe(layer)}/${unit}`;
      try {
        await mkdir(join(dir, folder), { recursive: true });
        const picture = layOutTiles(tiles, top.k, montageOptions.gap ?? 8);
        try {
          await writePng(join(dir, file), picture);
        } finally {
          picture.dispose();
        }
        const entries = top.layers[layer].units[unit];
        for (let i = 0; i < tiles.crops.length; i++) {
          await writePng(join(dir, folder, `top-${i + 1}.png`), tiles.crops[i]);
          if (tiles.signals[i]) await writePng(join(dir, folder, `${mode}-${i + 1}.png`), tiles.signals[i]);
        }
        atlasUnits[String(unit)] = {
          top: entries.map((e, i) => ({
            image: e.id, value: e.value, y: e.y, x: e.x,
            crop: `${folder}/top-${i + 1}.png`,
            ...(tiles.signals[i] ? { backward: `${folder}/${mode}-${i + 1}.png` } : {}),
          })),
          optimized: [...(optimized[layer]?.[unit] ?? [])],
        };
      } finally {
        tf.dispose([...tiles.crops, ...tiles.signals]);
      }
      images.push(join(dir, file));
      const rows = top.layers[layer].units[unit]
        .map((e, i) => `<li>${i + 1}. ${escape(e.id)}: ${e.value.toPrecision(4)} at (${e.y}, ${e.x})</li>`)
        .join('');
      const pictures = (optimized[layer]?.[unit] ?? []).map((p) => `<img class="optimized" src="${encodeURI(p)}" alt="${escape(`${layer} unit ${unit}, optimized`)}" title="optimized image">`).join('');
      figures.push(`<figure><img src="${encodeURI(file)}" alt="${escape(`${layer} unit ${unit}`)}">${pictures}<figcaption>unit ${unit}<details><summary>images</summary><ol>${rows}</ol></details></figcaption></figure>`);
      onProgress?.({ done: ++done, total, layer, unit });
    }
    sections.push(`<section><h2>${escape(layer)}</h2>${figures.join('\n')}</section>`);
  }
  const view = montageOptions.mode === 'none' ? 'crops' : `crops (left) and their ${montageOptions.mode ?? 'deconv'} views (right)`;
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5em}figure{display:inline-block;margin:0 1em 1em 0;vertical-align:top}img{image-rendering:pixelated;display:block}img.optimized{display:inline-block;width:96px;margin:4px 4px 0 0}ol{margin:0;padding-left:1.5em}</style>
</head><body><h1>${escape(title)}</h1>
<p>Top ${top.k} of ${top.images} images per unit${top.size ? `, resized to ${top.size[0]}×${top.size[1]}` : ''}: receptive-field ${view}.</p>
${sections.join('\n')}
</body></html>
`;
  const html = join(dir, 'index.html');
  await writeFile(html, page);
  const atlas: Atlas = { format: ATLAS_FORMAT, version: 1, model, mode, k: top.k, images: top.images, size: top.size, layers: atlasLayers };
  const atlasFile = join(dir, 'atlas.json');
  await writeFile(atlasFile, `${JSON.stringify(atlas, null, 1)}\n`);
  return { html, images, atlas: atlasFile };
}

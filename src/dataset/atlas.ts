import { DeepvisError } from '../errors';

/** The `format` field of every atlas.json. */
export const ATLAS_FORMAT = 'deepvis-atlas';

/** One of a unit's top images in an atlas: paths are relative to the atlas folder. */
export interface AtlasEntry {
  /** The dataset image's id (its file name). */
  readonly image: string;
  /** The unit's maximum on it. */
  readonly value: number;
  /** Where in the layer's map the maximum is. */
  readonly y: number;
  readonly x: number;
  /** PNG of the receptive-field crop. */
  readonly crop: string;
  /** PNG of the backward view (the atlas' `mode`) cropped alike; absent with mode `'none'`. */
  readonly backward?: string;
}

/** One unit of an atlas: its top images, best first, and its optimized images if any. */
export interface AtlasUnit {
  readonly top: readonly AtlasEntry[];
  readonly optimized: readonly string[];
}

/**
 * A unit atlas: what `deepvis topk` (and `deepvis atlas`) write beside their PNGs as
 * `atlas.json`, and what the viewer's per-unit column reads. Plain JSON; docs/dataset.md
 * describes it field by field.
 */
export interface Atlas {
  readonly format: typeof ATLAS_FORMAT;
  readonly version: 1;
  /** The model's name, in words. */
  readonly model: string;
  /** The backward view beside the crops: deconv, guided, gradient, or none. */
  readonly mode: string;
  /** Top images kept per unit. */
  readonly k: number;
  /** How many images were scanned. */
  readonly images: number;
  /** The size every image was resized to, or null. */
  readonly size: readonly [number, number] | null;
  /** By layer, by unit index (as a string key). */
  readonly layers: Readonly<Record<string, { readonly units: Readonly<Record<string, AtlasUnit>> }>>;
}

const bad = (what: string) => new DeepvisError('BAD_VALUE', `Not a deepvis atlas: ${what}. (An atlas.json is written by 'deepvis topk'; see docs/dataset.md.)`);
const isPath = (p: unknown): p is string => typeof p === 'string' && p.length > 0 && !p.startsWith('/') && !p.split('/').includes('..') && !/^[a-z]+:/i.test(p);

/**
 * Checks a parsed atlas.json and returns it typed: the format and version, and every
 * unit's entries (numbers finite, PNG paths relative and inside the folder). Anything else
 * throws BAD_VALUE saying what is wrong.
 *
 * @example
 * ```ts
 * const atlas = parseAtlas(await (await fetch('atlas/atlas.json')).json());
 * const unit = atlas.layers.leaky_re_lu_13?.units['3'];
 * for (const e of unit?.top ?? []) console.log(e.image, e.value, e.crop);
 * ```
 */
export function parseAtlas(json: unknown): Atlas {
  const a = json as Partial<Atlas> | null;
  if (!a || typeof a !== 'object') throw bad('not a JSON object');
  if (a.format !== ATLAS_FORMAT) throw bad(`format is ${JSON.stringify(a.format)}, not "${ATLAS_FORMAT}"`);
  if (a.version !== 1) throw bad(`version ${JSON.stringify(a.version)} (this deepvis reads version 1)`);
  if (!a.layers || typeof a.layers !== 'object') throw bad('no layers');
  for (const [layer, l] of Object.entries(a.layers)) {
    if (!l || typeof l.units !== 'object' || l.units === null) throw bad(`layer '${layer}' has no units`);
    for (const [unit, u] of Object.entries(l.units)) {
      const at = `${layer} unit ${unit}`;
      if (!/^\d+$/.test(unit)) throw bad(`unit key '${unit}' of ${layer} is not an index`);
      if (!u || !Array.isArray(u.top) || !Array.isArray(u.optimized)) throw bad(`${at} lacks its top or optimized list`);
      for (const e of u.top) {
        if (!e || typeof e.image !== 'string' || ![e.value, e.y, e.x].every(Number.isFinite) || !isPath(e.crop) || (e.backward !== undefined && !isPath(e.backward))) {
          throw bad(`${at} has an entry that is not { image, value, y, x, crop, backward? } with relative paths`);
        }
      }
      if (!u.optimized.every(isPath)) throw bad(`${at} has an optimized image that is not a relative path`);
    }
  }
  return a as Atlas;
}

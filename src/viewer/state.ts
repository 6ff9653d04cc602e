import type { BackwardFilter } from '../attribution/backward-image';
import { checkOption } from '../errors';
import { IMAGE_DISPLAYS, type ImageDisplay } from '../image/display';
import { PRESETS_BY_NAME } from '../optimize/presets';

/** A style of the optimized pane: a paper preset by its Table 1 row, or the modern style. */
export type OptimizeStyle = keyof typeof PRESETS_BY_NAME;

/** The seed of a backward view: the unit's maximum, or its whole map weighted by itself. */
export type BackwardSeed = 'unit' | 'activation';

/** Everything a person chose in the viewer, in one object: the panes read it, the controls write it. */
export interface ViewerState {
  /** The layer shown in the grid ('' until a model picks its default). */
  layer: string;
  /** The unit under the cursor (enlarged, framed yellow). */
  selected: number;
  /** A unit pinned for the backward view (framed cyan), or null to follow the cursor. */
  pinned: number | null;
  /** The backward pane's mode: a name of the backward modes list. */
  mode: string;
  filter: BackwardFilter;
  seed: BackwardSeed;
  normalize: 'layer' | 'channel';
  boost: number;
  gamma: number;
  /** Run the backward view every frame (it costs about two forwards). */
  backwardOn: boolean;
  /** Side of the square image fed to the net. */
  size: number;
  /** The optimized pane's style: paper preset `'1'`–`'4'` or `'lucid'` (each with its own parameters). */
  optimizeStyle: OptimizeStyle;
  /** How the optimized pane draws: the toolbox's `norm01c` (stretched about the mean image) or the `raw` pixels. */
  optimizeDisplay: ImageDisplay;
  /** Steps of an optimized-pane run (one of `STATE_CHOICES.optimizeSteps`). */
  optimizeSteps: number;
}

/**
 * The state a viewer opens with.
 *
 * @example
 * ```ts
 * mountViewer(el, { state: { ...DEFAULT_VIEWER_STATE, mode: 'deconv' } });
 * ```
 */
export const DEFAULT_VIEWER_STATE: Readonly<ViewerState> = Object.freeze({
  layer: '',
  selected: 0,
  pinned: null,
  mode: 'guided',
  filter: 'norm',
  seed: 'unit',
  normalize: 'layer',
  boost: 0,
  gamma: 1,
  backwardOn: true,
  size: 224,
  optimizeStyle: '3',
  optimizeDisplay: 'norm01c',
  optimizeSteps: 200,
});

/** The choices of the state's menus. */
export const STATE_CHOICES = Object.freeze({
  filter: ['raw', 'gray', 'norm', 'normblur'] as const,
  seed: ['unit', 'activation'] as const,
  normalize: ['layer', 'channel'] as const,
  boost: [0, 0.3, 0.5, 0.8, 1] as const,
  gamma: [1, 0.7, 0.5, 0.3] as const,
  optimizeStyle: Object.keys(PRESETS_BY_NAME) as readonly OptimizeStyle[],
  optimizeDisplay: IMAGE_DISPLAYS,
  optimizeSteps: [50, 128, 200, 512, 1000] as const,
});

/** Input sides the viewer accepts. */
export const SIZE_RANGE = Object.freeze({ min: 16, max: 1024 });

/**
 * A complete viewer state from a partial one, checked: an unknown value throws BAD_OPTION
 * naming what it takes. (`mode` is checked by the viewer against its backward modes.)
 *
 * @example
 * ```ts
 * const state = viewerState({ layer: 'leaky_re_lu_5', selected: 3, size: 160 });
 * ```
 */
export function viewerState(partial: Partial<ViewerState> = {}): ViewerState {
  const s: ViewerState = { ...DEFAULT_VIEWER_STATE, ...partial };
  checkOption(typeof s.layer === 'string', 'layer', 'a layer name', s.layer);
  checkOption(Number.isInteger(s.selected) && s.selected >= 0, 'selected', 'a unit index ≥ 0', s.selected);
  checkOption(s.pinned === null || (Number.isInteger(s.pinned) && s.pinned >= 0), 'pinned', 'null or a unit index ≥ 0', s.pinned);
  checkOption(typeof s.mode === 'string' && s.mode !== '', 'mode', 'a backward mode name', s.mode);
  for (const key of ['filter', 'seed', 'normalize', 'optimizeStyle', 'optimizeDisplay'] as const) {
    checkOption((STATE_CHOICES[key] as readonly string[]).includes(s[key]), key, STATE_CHOICES[key].join(' | '), s[key]);
  }
  checkOption(Number.isFinite(s.boost) && s.boost >= 0 && s.boost <= 1, 'boost', 'a number from 0 to 1', s.boost);
  checkOption(Number.isFinite(s.gamma) && s.gamma > 0 && s.gamma <= 1, 'gamma', 'a number in (0, 1]', s.gamma);
  checkOption(typeof s.backwardOn === 'boolean', 'backwardOn', 'true or false', s.backwardOn);
  checkOption((STATE_CHOICES.optimizeSteps as readonly number[]).includes(s.optimizeSteps), 'optimizeSteps', STATE_CHOICES.optimizeSteps.join(' | '), s.optimizeSteps);
  checkOption(Number.isInteger(s.size) && s.size >= SIZE_RANGE.min && s.size <= SIZE_RANGE.max, 'size', `an integer from ${SIZE_RANGE.min} to ${SIZE_RANGE.max}`, s.size);
  return s;
}

/**
 * The state a page's URL asks for (`?layer=…&unit=3&mode=deconv&filter=gray&seed=activation&size=160&backward=0&style=lucid&display=raw&steps=128`):
 * each value that would not make a valid state is left out and named in `ignored`, so a bad
 * link opens the viewer with a message instead of breaking it.
 *
 * @example
 * ```ts
 * const { state, ignored } = stateFromParams(new URLSearchParams('?size=abc&unit=4'));
 * // state: { selected: 4 }; ignored: ["size=abc: Option 'size' must be an integer from 16 to 1024; got NaN."]
 * ```
 */
export function stateFromParams(params: URLSearchParams): { state: Partial<ViewerState>; ignored: string[] } {
  const state: Partial<ViewerState> = {};
  const ignored: string[] = [];
  const int = (v: string) => (/^\s*\d+\s*$/.test(v) ? Number(v) : NaN);
  const fields: [string, keyof ViewerState, (v: string) => unknown][] = [
    ['layer', 'layer', String],
    ['unit', 'selected', int],
    ['mode', 'mode', String],
    ['filter', 'filter', String],
    ['seed', 'seed', String],
    ['normalize', 'normalize', String],
    ['boost', 'boost', Number],
    ['gamma', 'gamma', Number],
    ['backward', 'backwardOn', (v) => (v === '1' || v === 'true' ? true : v === '0' || v === 'false' ? false : v)],
    ['size', 'size', int],
    ['style', 'optimizeStyle', String],
    ['display', 'optimizeDisplay', String],
    ['steps', 'optimizeSteps', int],
  ];
  for (const [param, key, parse] of fields) {
    const raw = params.get(param);
    if (raw === null) continue;
    const value = parse(raw);
    try {
      viewerState({ [key]: value });
      (state as Record<string, unknown>)[key] = value;
    } catch (e) {
      ignored.push(`${param}=${raw}: ${(e as Error).message}`);
    }
  }
  return { state, ignored };
}

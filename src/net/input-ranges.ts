import { DeepvisError, checkOption } from '../errors';
import type { InputRange } from './types';

/**
 * The usual input ranges by name, for command lines and menus: `'0,1'`, `'-1,1'`,
 * `'0,255'`, `'caffe'` (BGR minus the ImageNet mean) and `'torchvision'` (RGB minus the
 * ImageNet mean, over its std).
 *
 * @example
 * ```ts
 * const net = toNet(model, { inputRange: INPUT_RANGES['-1,1'] });
 * ```
 */
export const INPUT_RANGES: Readonly<Record<string, InputRange>> = Object.freeze({
  '0,1': [0, 1],
  '-1,1': [-1, 1],
  '0,255': [0, 255],
  caffe: { mean: [123.68, 116.779, 103.939], bgr: true },
  torchvision: { mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] },
});

/**
 * An input range from its name in {@link INPUT_RANGES}; spaces and brackets are ignored
 * (`'[0, 1]'` is `'0,1'`). Any other text throws BAD_OPTION listing the names.
 *
 * @example
 * ```ts
 * parseInputRange('[-1, 1]'); // [-1, 1]
 * parseInputRange('caffe');   // { mean: [123.68, 116.779, 103.939], bgr: true }
 * ```
 */
export function parseInputRange(name: string): InputRange {
  checkOption(typeof name === 'string', 'inputRange', `one of ${Object.keys(INPUT_RANGES).join(' | ')}`, name);
  const key = name.replace(/[\s[\]()]/g, '').toLowerCase();
  const range = Object.hasOwn(INPUT_RANGES, key) ? INPUT_RANGES[key] : undefined;
  if (!range) throw new DeepvisError('BAD_OPTION', `Unknown input range '${name}': use one of ${Object.keys(INPUT_RANGES).join(' | ')}.`);
  return range;
}

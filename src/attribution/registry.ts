// The attribution methods deepvis ships, in the order the CLI, the viewer and the bench show
// them. A new method: one file exporting an `attributionMethod(…)`, and one line here.
import { DeepvisError } from '../errors';
import { DECONV, GRADIENT, GUIDED } from './backward';
import { GRAD_CAM, GRAD_CAM_PLUS_PLUS, GUIDED_GRAD_CAM } from './grad-cam';
import { INPUT_X_GRADIENT } from './input-x-gradient';
import { INTEGRATED_GRADIENTS } from './integrated-gradients';
import { OCCLUSION } from './occlusion';
import type { AttributionMethod } from './types';

/**
 * Every registered attribution method: `{ name, label, kind, gradient, run, draw }`, each
 * `run(net, pixels, target, options)`. Wrap any of them in `smoothGrad` or `varGrad`.
 *
 * @example
 * ```ts
 * for (const m of ATTRIBUTION_METHODS) {
 *   const a = await m.run(net, photo, { layer: net.logits, channel: 281 });
 *   await writePng(`${m.name}.png`, m.draw(a, photo));
 *   a.values.dispose();
 * }
 * ```
 */
export const ATTRIBUTION_METHODS: readonly AttributionMethod[] = Object.freeze([
  GUIDED,
  DECONV,
  GRADIENT,
  INPUT_X_GRADIENT,
  INTEGRATED_GRADIENTS,
  GRAD_CAM,
  GRAD_CAM_PLUS_PLUS,
  GUIDED_GRAD_CAM,
  OCCLUSION,
]);

/**
 * The registered method called `name`; an unknown name throws listing the registered ones.
 *
 * @example
 * ```ts
 * const ig = attributionMethodNamed('integrated');
 * ```
 */
export function attributionMethodNamed(name: string): AttributionMethod {
  const found = ATTRIBUTION_METHODS.find((m) => m.name === name);
  if (!found) throw new DeepvisError('BAD_OPTION', `Unknown attribution method '${name}': one of ${ATTRIBUTION_METHODS.map((m) => `'${m.name}'`).join(', ')}.`);
  return found;
}
